package org.saam.stream.options;

import java.io.Serializable;
import java.util.List;
import org.saam.common.realm.RealmNames;

/**
 * How a reading finds its person: the Redis cache, the user service behind it, the job's own token,
 * and the join's local cache and patience.
 *
 * @param redisUri the assignment cache
 * @param usersUrl the user service, asked on a cache miss
 * @param keycloakUrl issues the job's token (client saam-pipeline)
 * @param clientSecret its secret
 * @param cacheLocations locations whose assignments each instance keeps
 * @param cacheExpiryMillis how long a kept list is used
 * @param timeoutMillis how long one lookup may take before the job restarts
 */
public record JoinOptions(
    String redisUri,
    String usersUrl,
    String keycloakUrl,
    String clientSecret,
    int cacheLocations,
    long cacheExpiryMillis,
    long timeoutMillis)
    implements Serializable {
  public static final String REDIS_URI = "redis.uri";
  public static final String USERS_URL = "users.url";
  public static final String KEYCLOAK_URL = "keycloak.url";
  public static final String CLIENT_SECRET = "pipeline.client-secret";
  public static final String CACHE_LOCATIONS = "join.cache-locations";
  public static final String CACHE_EXPIRY = "join.cache-expiry-ms";
  public static final String TIMEOUT = "join.timeout-ms";

  public static final List<Option> OPTIONS =
      List.of(
          new Option(
              REDIS_URI, "env SAAM_REDIS_URI, else redis://127.0.0.1:6379", "the assignment cache"),
          new Option(USERS_URL, "http://127.0.0.1:8090", "the user service, asked on a cache miss"),
          new Option(
              KEYCLOAK_URL,
              "http://127.0.0.1:8180",
              "issues the job's token (client " + RealmNames.PIPELINE_CLIENT + ")"),
          new Option(
              CLIENT_SECRET,
              "env SAAM_PIPELINE_CLIENT_SECRET; the local one only in local mode",
              "its secret"),
          new Option(CACHE_LOCATIONS, "10000", "locations whose assignments each instance keeps"),
          new Option(CACHE_EXPIRY, "300000", "how long a kept list is used"),
          new Option(TIMEOUT, "30000", "how long one lookup may take before the job restarts"));

  public JoinOptions {
    OptionValues.require(redisUri, REDIS_URI);
    OptionValues.require(usersUrl, USERS_URL);
    OptionValues.require(keycloakUrl, KEYCLOAK_URL);
    OptionValues.require(clientSecret, CLIENT_SECRET);
    OptionValues.scheme(redisUri, REDIS_URI, "redis://", "rediss://");
    OptionValues.range(cacheLocations, 1, 10_000_000, CACHE_LOCATIONS);
    OptionValues.range(cacheExpiryMillis, 0, 86_400_000, CACHE_EXPIRY);
    OptionValues.range(timeoutMillis, 100, 600_000, TIMEOUT);
  }

  /** Reads the options, with the defaults above. */
  public static JoinOptions from(OptionValues values) {
    return new JoinOptions(
        values.text(REDIS_URI, "SAAM_REDIS_URI", "redis://127.0.0.1:6379"),
        values.text(USERS_URL, "http://127.0.0.1:8090"),
        values.text(KEYCLOAK_URL, "http://127.0.0.1:8180"),
        values.secret(
            CLIENT_SECRET,
            "SAAM_PIPELINE_CLIENT_SECRET",
            RealmNames.localSecret(RealmNames.PIPELINE_CLIENT)),
        values.integer(CACHE_LOCATIONS, 10_000),
        values.millis(CACHE_EXPIRY, java.time.Duration.ofMinutes(5)).toMillis(),
        values.millis(TIMEOUT, java.time.Duration.ofSeconds(30)).toMillis());
  }

  /** The realm the job's token comes from. */
  public String realmUrl() {
    return RealmNames.realmUrl(keycloakUrl);
  }
}
