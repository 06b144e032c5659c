package org.saam.views;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.saam.common.config.Environment;
import org.saam.common.realm.RealmNames;

/**
 * Configuration from the environment, validated before the port opens.
 *
 * <p>{@code SAAM_VIEWS_PORT} (8091; 0 picks a free port), {@code SAAM_VIEWS_BIND} (127.0.0.1),
 * {@code SAAM_MONGO_URI} (mongodb://127.0.0.1:27017), {@code SAAM_MONGO_DATABASE} (saam), {@code
 * SAAM_KEYCLOAK_URL} (http://127.0.0.1:8180), {@code SAAM_KEYCLOAK_ISSUER} (the issuer tokens name,
 * when it is not the realm under SAAM_KEYCLOAK_URL, as behind an Ingress), {@code
 * SAAM_ELASTICSEARCH_URL} (http://127.0.0.1:9200), {@code SAAM_VIEWS_MAX_ROWS} (100000 rows per
 * request), {@code SAAM_VIEWS_MAX_RANGE_DAYS} (31 days per data request), {@code
 * SAAM_VIEWS_CATALOGUE} (a catalogue file instead of the built-in one), {@code
 * SAAM_JWT_CLOCK_SKEW_SECONDS} (30).
 */
public record FeatureViewsConfig(
    String bindAddress,
    int port,
    String mongoUri,
    String mongoDatabase,
    String keycloakUrl,
    String keycloakIssuer,
    String elasticsearchUrl,
    int maxRows,
    Duration maxRange,
    String cataloguePath,
    Duration clockSkew,
    String webClientId) {

  public static FeatureViewsConfig fromEnvironment(Map<String, String> variables) {
    Environment env = new Environment(variables);
    return new FeatureViewsConfig(
        env.text("SAAM_VIEWS_BIND", "127.0.0.1"),
        env.integer("SAAM_VIEWS_PORT", 8091, 0, 65535),
        env.text("SAAM_MONGO_URI", "mongodb://127.0.0.1:27017"),
        env.text("SAAM_MONGO_DATABASE", "saam"),
        env.url("SAAM_KEYCLOAK_URL", "http://127.0.0.1:8180", "http").toString(),
        Optional.ofNullable(env.optionalUrl("SAAM_KEYCLOAK_ISSUER", "http"))
            .map(URI::toString)
            .orElse(null),
        env.url("SAAM_ELASTICSEARCH_URL", "http://127.0.0.1:9200", "http").toString(),
        env.integer("SAAM_VIEWS_MAX_ROWS", 100_000, 1, 10_000_000),
        Duration.ofDays(env.integer("SAAM_VIEWS_MAX_RANGE_DAYS", 31, 1, 3660)),
        env.optional("SAAM_VIEWS_CATALOGUE"),
        Duration.ofSeconds(env.integer("SAAM_JWT_CLOCK_SKEW_SECONDS", 30, 0, 300)),
        env.text("SAAM_VIEWS_WEB_CLIENT", "saam-portal"));
  }

  public String realmUrl() {
    return RealmNames.realmUrl(keycloakUrl);
  }

  /** The issuer tokens must name: SAAM_KEYCLOAK_ISSUER, else the realm URL. */
  public String issuer() {
    return keycloakIssuer == null ? realmUrl() : keycloakIssuer;
  }

  public FeatureViewsConfig withPort(int value) {
    return new FeatureViewsConfig(
        bindAddress,
        value,
        mongoUri,
        mongoDatabase,
        keycloakUrl,
        keycloakIssuer,
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
        keycloakIssuer,
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
        keycloakIssuer,
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
        keycloakIssuer,
        elasticsearchUrl,
        maxRows,
        maxRange,
        cataloguePath,
        clockSkew,
        value);
  }
}
