package org.saam.views;

import java.time.Duration;
import java.util.Map;

/**
 * Configuration from the environment, validated before the port opens.
 *
 * <p>{@code SAAM_VIEWS_PORT} (8091; 0 picks a free port), {@code SAAM_VIEWS_BIND} (127.0.0.1),
 * {@code SAAM_MONGO_URI} (mongodb://127.0.0.1:27017), {@code SAAM_MONGO_DATABASE} (saam), {@code
 * SAAM_KEYCLOAK_URL} (http://127.0.0.1:8180), {@code SAAM_ELASTICSEARCH_URL}
 * (http://127.0.0.1:9200), {@code SAAM_VIEWS_MAX_ROWS} (100000 rows per request), {@code
 * SAAM_VIEWS_MAX_RANGE_DAYS} (31 days per data request), {@code SAAM_VIEWS_CATALOGUE} (a catalogue
 * file instead of the built-in one), {@code SAAM_JWT_CLOCK_SKEW_SECONDS} (30).
 */
public record FeatureViewsConfig(
    String bindAddress,
    int port,
    String mongoUri,
    String mongoDatabase,
    String keycloakUrl,
    String elasticsearchUrl,
    int maxRows,
    Duration maxRange,
    String cataloguePath,
    Duration clockSkew,
    String webClientId) {

  /** Thrown with a sentence naming the bad variable. */
  public static final class InvalidConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    InvalidConfigException(String message) {
      super(message);
    }
  }

  public static FeatureViewsConfig fromEnvironment(Map<String, String> env) {
    return new FeatureViewsConfig(
        text(env, "SAAM_VIEWS_BIND", "127.0.0.1"),
        integer(env, "SAAM_VIEWS_PORT", 8091, 0, 65535),
        text(env, "SAAM_MONGO_URI", "mongodb://127.0.0.1:27017"),
        text(env, "SAAM_MONGO_DATABASE", "saam"),
        url(env, "SAAM_KEYCLOAK_URL", "http://127.0.0.1:8180"),
        url(env, "SAAM_ELASTICSEARCH_URL", "http://127.0.0.1:9200"),
        integer(env, "SAAM_VIEWS_MAX_ROWS", 100_000, 1, 10_000_000),
        Duration.ofDays(integer(env, "SAAM_VIEWS_MAX_RANGE_DAYS", 31, 1, 3660)),
        env.get("SAAM_VIEWS_CATALOGUE"),
        Duration.ofSeconds(integer(env, "SAAM_JWT_CLOCK_SKEW_SECONDS", 30, 0, 300)),
        text(env, "SAAM_VIEWS_WEB_CLIENT", "saam-portal"));
  }

  public String realmUrl() {
    return keycloakUrl.replaceAll("/+$", "") + "/realms/saam";
  }

  public FeatureViewsConfig withPort(int value) {
    return new FeatureViewsConfig(
        bindAddress,
        value,
        mongoUri,
        mongoDatabase,
        keycloakUrl,
        elasticsearchUrl,
        maxRows,
        maxRange,
        cataloguePath,
        clockSkew,
        webClientId);
  }

  public FeatureViewsConfig withDatabase(String value) {
    return new FeatureViewsConfig(
        bindAddress,
        port,
        mongoUri,
        value,
        keycloakUrl,
        elasticsearchUrl,
        maxRows,
        maxRange,
        cataloguePath,
        clockSkew,
        webClientId);
  }

  public FeatureViewsConfig withMaxRows(int value) {
    return new FeatureViewsConfig(
        bindAddress,
        port,
        mongoUri,
        mongoDatabase,
        keycloakUrl,
        elasticsearchUrl,
        value,
        maxRange,
        cataloguePath,
        clockSkew,
        webClientId);
  }

  public FeatureViewsConfig withWebClientId(String value) {
    return new FeatureViewsConfig(
        bindAddress,
        port,
        mongoUri,
        mongoDatabase,
        keycloakUrl,
        elasticsearchUrl,
        maxRows,
        maxRange,
        cataloguePath,
        clockSkew,
        value);
  }

  private static String text(Map<String, String> env, String key, String fallback) {
    String value = env.getOrDefault(key, fallback);
    if (value == null || value.isBlank()) {
      throw new InvalidConfigException(key + " must not be empty");
    }
    return value.trim();
  }

  private static String url(Map<String, String> env, String key, String fallback) {
    String value = text(env, key, fallback);
    if (!value.startsWith("http://") && !value.startsWith("https://")) {
      throw new InvalidConfigException(
          key + " must be an http:// or https:// URL, was '" + value + "'");
    }
    return value;
  }

  private static int integer(Map<String, String> env, String key, int fallback, int min, int max) {
    String value = env.get(key);
    int number;
    try {
      number = value == null ? fallback : Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      throw new InvalidConfigException(key + " must be a whole number, was '" + value + "'");
    }
    if (number < min || number > max) {
      throw new InvalidConfigException(
          key + " must be between " + min + " and " + max + ", was " + number);
    }
    return number;
  }
}
