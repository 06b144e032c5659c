package org.saam.stream.people;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lettuce.core.RedisClient;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.saam.common.cache.RedisNames;

/**
 * The erased people as the user service knows them: the whole list ({@code GET /v1/erasures}) when
 * opened, which fails the opening operator (and so restarts the job) when the user service does not
 * answer, so that no restored state of an erased person is used; then every erasure as the user
 * service announces it on Redis channel {@value #CHANNEL}, and the whole list again every minute in
 * case a message was missed (Redis pub/sub keeps nothing for a subscriber that was away).
 *
 * <p>The set only grows and holds one id per erased person. One instance serves every operator of a
 * job in a TaskManager ({@link #shared}): one subscription, one list request per minute, however
 * many operators and subtasks ask.
 */
final class UserServiceErasedPeople implements ErasedPeople {
  /** The channel the user service announces erasures on; the message is the user id. */
  static final String CHANNEL = RedisNames.ERASURES_CHANNEL;

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration REFRESH = Duration.ofMinutes(1);

  /** The instances in use in this JVM, by settings, with how many operators hold each. */
  private static final Map<RedisUserServiceDirectory.Settings, Holders> SHARED = new HashMap<>();

  private static final class Holders {
    final UserServiceErasedPeople people;
    int count;

    Holders(UserServiceErasedPeople people) {
      this.people = people;
    }
  }

  private final Set<String> erased = ConcurrentHashMap.newKeySet();
  private final RedisClient redis;
  private final StatefulRedisPubSubConnection<String, String> announcements;
  private final HttpClient http;
  private final ServiceToken token;
  private final URI list;
  private final ScheduledExecutorService refresher;
  private final AtomicLong refreshFailures = new AtomicLong();

  /**
   * The instance for these settings in this JVM, opened by the first operator that asks (which
   * fails like the constructor does) and closed when the last one closes its handle.
   */
  static ErasedPeople shared(RedisUserServiceDirectory.Settings settings) throws IOException {
    Holders holders;
    synchronized (SHARED) {
      holders = SHARED.get(settings);
      if (holders == null) {
        holders = new Holders(new UserServiceErasedPeople(settings));
        SHARED.put(settings, holders);
      }
      holders.count++;
    }
    Holders held = holders;
    return new ErasedPeople() {
      private boolean closed;

      @Override
      public boolean contains(String userId) {
        return held.people.contains(userId);
      }

      @Override
      public void close() {
        synchronized (SHARED) {
          if (closed) {
            return;
          }
          closed = true;
          if (--held.count == 0) {
            SHARED.remove(settings, held);
            held.people.close();
          }
        }
      }
    };
  }

  private UserServiceErasedPeople(RedisUserServiceDirectory.Settings settings) throws IOException {
    this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    this.token =
        new ServiceToken(http, settings.realmUrl(), settings.clientId(), settings.clientSecret());
    this.list = URI.create(settings.usersUrl().replaceAll("/+$", "") + "/v1/erasures");
    this.redis = RedisClient.create(settings.redisUri());
    StatefulRedisPubSubConnection<String, String> connection = null;
    try {
      // Listen first, then read the list: an erasure announced in between is not missed.
      connection = redis.connectPubSub();
      connection.addListener(
          new RedisPubSubAdapter<>() {
            @Override
            public void message(String channel, String message) {
              add(message);
            }
          });
      connection.sync().subscribe(CHANNEL);
      load();
    } catch (IOException | RuntimeException e) {
      if (connection != null) {
        connection.close();
      }
      redis.shutdown();
      throw e;
    }
    this.announcements = connection;
    this.refresher =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread thread = new Thread(r, "erased-people-refresh");
              thread.setDaemon(true);
              return thread;
            });
    refresher.scheduleWithFixedDelay(
        this::refresh, REFRESH.toMillis(), REFRESH.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Adds an announced id; anything that is not a user id is ignored. */
  private void add(String message) {
    try {
      erased.add(UUID.fromString(message.strip()).toString());
    } catch (IllegalArgumentException notAnId) {
      // Someone else's message on the channel: it names nobody, so it changes nothing.
    }
  }

  private void refresh() {
    try {
      load();
    } catch (IOException | RuntimeException e) {
      // The set only grows: what is known stays in force, and announcements still arrive.
      refreshFailures.incrementAndGet();
    }
  }

  /** Failed refreshes of the whole list since start (the list is read again a minute later). */
  long refreshFailures() {
    return refreshFailures.get();
  }

  private void load() throws IOException {
    HttpResponse<String> response = get(false);
    if (response.statusCode() == 401) {
      token.invalidate();
      response = get(true);
    }
    if (response.statusCode() != 200) {
      throw new IOException(
          "user service answered "
              + response.statusCode()
              + " for the list of erasures: "
              + response.body());
    }
    JsonNode body = JSON.readTree(response.body());
    if (!body.isArray()) {
      throw new IOException("the list of erasures is not a JSON array: " + response.body());
    }
    for (JsonNode entry : body) {
      add(entry.path("user_id").asText(""));
    }
  }

  private HttpResponse<String> get(boolean retry) throws IOException {
    try {
      String bearer = token.get().get(15, TimeUnit.SECONDS);
      return http.send(
          HttpRequest.newBuilder(list)
              .timeout(Duration.ofSeconds(10))
              .header("Authorization", "Bearer " + bearer)
              .GET()
              .build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while reading the list of erasures", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IOException(
          "no token for the list of erasures" + (retry ? " (second try)" : "") + ": " + e, e);
    }
  }

  @Override
  public boolean contains(String userId) {
    return userId != null && erased.contains(userId);
  }

  @Override
  public void close() {
    refresher.shutdownNow();
    announcements.close();
    redis.shutdown();
  }
}
