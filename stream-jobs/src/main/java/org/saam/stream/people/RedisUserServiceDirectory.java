package org.saam.stream.people;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.io.IOException;
import java.io.Serializable;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.saam.common.cache.RedisNames;
import org.saam.common.records.Assignment;

/**
 * Assignments from Redis ({@code saam:loc:<location_id>}, filled by the user service), and on a
 * miss from the user service itself, which fills Redis. Changes arrive on the Redis channel {@code
 * saam:assignments}.
 */
public final class RedisUserServiceDirectory implements AssignmentDirectory {
  /** The Redis channel the user service announces assignment changes on. */
  public static final String CHANNEL = RedisNames.ASSIGNMENTS_CHANNEL;

  private static final ObjectMapper JSON =
      new ObjectMapper()
          .registerModule(new JavaTimeModule())
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
  private static final TypeReference<List<Assignment>> LIST = new TypeReference<>() {};

  private final RedisClient redis;
  private final StatefulRedisConnection<String, String> connection;
  private final StatefulRedisPubSubConnection<String, String> changes;
  private final HttpClient http;
  private final String usersUrl;
  private final ServiceToken token;

  /** Connection settings; serializable so a Flink job can ship them. */
  public record Settings(
      String redisUri, String usersUrl, String realmUrl, String clientId, String clientSecret)
      implements Serializable, Factory {
    @Override
    public AssignmentDirectory open() {
      return new RedisUserServiceDirectory(this);
    }

    @Override
    public ErasedPeople.Factory erasedPeople() {
      Settings settings = this;
      return () -> UserServiceErasedPeople.shared(settings);
    }

    @Override
    public String toString() {
      return "Settings[" + redisUri + ", " + usersUrl + ", client " + clientId + "]";
    }
  }

  private RedisUserServiceDirectory(Settings settings) {
    this.redis = RedisClient.create(settings.redisUri());
    this.connection = redis.connect();
    this.changes = redis.connectPubSub();
    this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    this.usersUrl = settings.usersUrl().replaceAll("/+$", "");
    this.token =
        new ServiceToken(http, settings.realmUrl(), settings.clientId(), settings.clientSecret());
  }

  @Override
  public CompletableFuture<List<Assignment>> load(String locationId) {
    return connection
        .async()
        .get(RedisNames.locationKey(locationId))
        .toCompletableFuture()
        .thenCompose(
            cached ->
                cached != null
                    ? CompletableFuture.completedFuture(parse(cached))
                    : fromUserService(locationId, true));
  }

  private CompletableFuture<List<Assignment>> fromUserService(String locationId, boolean retry) {
    return token
        .get()
        .thenCompose(
            bearer ->
                http.sendAsync(
                    HttpRequest.newBuilder(
                            URI.create(
                                usersUrl
                                    + "/v1/locations/"
                                    + URLEncoder.encode(locationId, StandardCharsets.UTF_8)
                                    + "/assignments"))
                        .timeout(Duration.ofSeconds(10))
                        .header("Authorization", "Bearer " + bearer)
                        .GET()
                        .build(),
                    HttpResponse.BodyHandlers.ofString()))
        .thenCompose(
            response -> {
              if (response.statusCode() == 200) {
                return CompletableFuture.completedFuture(parse(response.body()));
              }
              if (response.statusCode() == 404) {
                return CompletableFuture.completedFuture(List.of());
              }
              if (response.statusCode() == 401 && retry) {
                token.invalidate();
                return fromUserService(locationId, false);
              }
              return CompletableFuture.failedFuture(
                  new IOException(
                      "user service answered "
                          + response.statusCode()
                          + " for the assignments of "
                          + locationId
                          + ": "
                          + response.body()));
            });
  }

  private static List<Assignment> parse(String json) {
    try {
      return JSON.readValue(json, LIST);
    } catch (IOException e) {
      throw new IllegalStateException("assignment list is not the user service's JSON: " + json, e);
    }
  }

  @Override
  public void onChange(Consumer<String> listener) {
    changes.addListener(
        new RedisPubSubAdapter<>() {
          @Override
          public void message(String channel, String message) {
            listener.accept(message);
          }
        });
    changes.sync().subscribe(CHANNEL);
  }

  @Override
  public void close() {
    changes.close();
    connection.close();
    redis.shutdown();
  }
}
