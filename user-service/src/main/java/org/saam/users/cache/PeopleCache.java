package org.saam.users.cache;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.saam.common.cache.RedisNames;

/**
 * Cache-aside in Redis for profiles ({@code saam:user:<id>}) and for the assignment lists the
 * pipeline reads ({@code saam:loc:<location_id>}). Every change deletes the key; a change of a
 * location's assignments is also published on {@value #CHANNEL}, so pipeline instances drop their
 * local copies.
 */
public final class PeopleCache implements AutoCloseable {
  /** Channel of assignment changes; the message is the location id. */
  public static final String CHANNEL = RedisNames.ASSIGNMENTS_CHANNEL;

  /**
   * Channel of erasures; the message is the erased person's id. Pipeline instances drop the
   * person's state when they hear it (and read the whole list, {@code GET /v1/erasures}, when they
   * start, so a message missed while down does not matter).
   */
  public static final String ERASURES_CHANNEL = RedisNames.ERASURES_CHANNEL;

  private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(5);
  private static final Duration HEALTH_TIMEOUT = Duration.ofSeconds(2);

  private final RedisClient client;
  private final StatefulRedisConnection<String, String> connection;
  private final RedisCommands<String, String> redis;
  private final Duration ttl;

  private PeopleCache(
      RedisClient client, StatefulRedisConnection<String, String> connection, Duration ttl) {
    this.client = client;
    this.connection = connection;
    this.redis = connection.sync();
    this.ttl = ttl;
  }

  public static PeopleCache connect(String uri, Duration ttl) {
    RedisClient client = RedisClient.create(uri);
    // A Redis outage answers in seconds, not after Lettuce's default minute: requests fail
    // clearly and /health (readiness) says so while the pod stays alive.
    client.setOptions(
        ClientOptions.builder().timeoutOptions(TimeoutOptions.enabled(COMMAND_TIMEOUT)).build());
    try {
      return new PeopleCache(client, client.connect(), ttl);
    } catch (RuntimeException e) {
      client.shutdown();
      throw e;
    }
  }

  public static String userKey(UUID id) {
    return "saam:user:" + id;
  }

  public static String locationKey(String locationId) {
    return RedisNames.locationKey(locationId);
  }

  public Optional<String> user(UUID id) {
    return Optional.ofNullable(redis.get(userKey(id)));
  }

  public void putUser(UUID id, String json) {
    redis.setex(userKey(id), ttl.toSeconds(), json);
  }

  public long evictUser(UUID id) {
    return redis.del(userKey(id));
  }

  public Optional<String> assignments(String locationId) {
    return Optional.ofNullable(redis.get(locationKey(locationId)));
  }

  public void putAssignments(String locationId, String json) {
    redis.setex(locationKey(locationId), ttl.toSeconds(), json);
  }

  /** Deletes the location's cached assignments and tells every subscriber. */
  public long invalidateLocation(String locationId) {
    long deleted = redis.del(locationKey(locationId));
    redis.publish(CHANNEL, locationId);
    return deleted;
  }

  /** Tells every pipeline instance that the person was erased. */
  public void announceErasure(UUID userId) {
    redis.publish(ERASURES_CHANNEL, userId.toString());
  }

  /** Whether Redis answers a PING within 2 s. */
  public boolean healthy() {
    try {
      return "PONG"
          .equals(connection.async().ping().get(HEALTH_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } catch (ExecutionException | TimeoutException | RuntimeException e) {
      return false;
    }
  }

  @Override
  public void close() {
    connection.close();
    client.shutdown();
  }
}
