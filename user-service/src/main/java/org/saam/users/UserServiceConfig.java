package org.saam.users;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.saam.common.broker.Topics;
import org.saam.common.config.Environment;
import org.saam.common.realm.RealmNames;
import org.saam.identity.realm.SaamRealm;

/**
 * The user service's whole configuration, read from the environment and validated before any port
 * opens. Every variable has a default that fits the local stack; secrets come only from the
 * environment.
 *
 * <table>
 * <caption>Environment</caption>
 * <tr><th>variable</th><th>default</th></tr>
 * <tr><td>SAAM_USERS_PORT</td><td>8090 (0 picks a free port)</td></tr>
 * <tr><td>SAAM_USERS_BIND</td><td>127.0.0.1</td></tr>
 * <tr><td>SAAM_PG_URL / SAAM_PG_USER / SAAM_PG_PASSWORD</td><td>jdbc:postgresql://127.0.0.1:5432/saam_users, saam, saam</td></tr>
 * <tr><td>SAAM_REDIS_URI</td><td>redis://127.0.0.1:6379</td></tr>
 * <tr><td>SAAM_KEYCLOAK_URL</td><td>http://127.0.0.1:8180</td></tr>
 * <tr><td>SAAM_KEYCLOAK_ISSUER</td><td>the realm URL above (set it when tokens carry a public name, behind an Ingress)</td></tr>
 * <tr><td>SAAM_USER_SERVICE_CLIENT_SECRET</td><td>the local-stack secret of saam-user-service</td></tr>
 * <tr><td>SAAM_ELASTICSEARCH_URL</td><td>http://127.0.0.1:9200</td></tr>
 * <tr><td>SAAM_MONGO_URI / SAAM_MONGO_DATABASE</td><td>mongodb://127.0.0.1:27017, saam</td></tr>
 * <tr><td>SAAM_CACHE_TTL_SECONDS</td><td>3600</td></tr>
 * <tr><td>SAAM_PHOTO_MAX_BYTES</td><td>2097152</td></tr>
 * <tr><td>SAAM_JWT_CLOCK_SKEW_SECONDS</td><td>30</td></tr>
 * <tr><td>SAAM_TOKEN_LOG_INTERVAL_SECONDS</td><td>10 (0 turns the token-log shipper off)</td></tr>
 * <tr><td>SAAM_KAFKA_BOOTSTRAP / SAAM_KAFKA_COACHING_TOPIC</td><td>127.0.0.1:9092, saam.coaching-events (erasure writes tombstones there)</td></tr>
 * <tr><td>SAAM_ERASURE_GRACE_SECONDS</td><td>10: after the pipeline is told of an erasure, how long writes already in flight get before data is removed</td></tr>
 * <tr><td>SAAM_RABBITMQ_MANAGEMENT_URL / SAAM_RABBITMQ_USER / SAAM_RABBITMQ_PASSWORD</td><td>http://127.0.0.1:15672, saam-admin, unset (without a password people's app accounts cannot be issued: 503)</td></tr>
 * </table>
 */
public record UserServiceConfig(
    String bindAddress,
    int port,
    String postgresUrl,
    String postgresUser,
    String postgresPassword,
    URI redisUri,
    String keycloakUrl,
    String keycloakIssuer,
    String clientSecret,
    String elasticsearchUrl,
    String mongoUri,
    String mongoDatabase,
    Duration cacheTtl,
    int photoMaxBytes,
    Duration clockSkew,
    Duration tokenLogInterval,
    URI brokerManagementUrl,
    String brokerUser,
    String brokerPassword,
    String kafkaBootstrap,
    String coachingTopic,
    Duration erasureGrace) {

  public static UserServiceConfig fromEnvironment(Map<String, String> variables) {
    Environment env = new Environment(variables);
    return new UserServiceConfig(
        env.text("SAAM_USERS_BIND", "127.0.0.1"),
        env.integer("SAAM_USERS_PORT", 8090, 0, 65535),
        env.prefixed(
            "SAAM_PG_URL", "jdbc:postgresql://127.0.0.1:5432/saam_users", "jdbc:postgresql://"),
        env.text("SAAM_PG_USER", "saam"),
        env.secret("SAAM_PG_PASSWORD", "saam"),
        env.url("SAAM_REDIS_URI", "redis://127.0.0.1:6379", "redis"),
        env.url("SAAM_KEYCLOAK_URL", "http://127.0.0.1:8180", "http").toString(),
        Optional.ofNullable(env.optionalUrl("SAAM_KEYCLOAK_ISSUER", "http"))
            .map(URI::toString)
            .orElse(null),
        env.secret(
            "SAAM_USER_SERVICE_CLIENT_SECRET",
            SaamRealm.localSecret(RealmNames.USER_SERVICE_CLIENT)),
        env.url("SAAM_ELASTICSEARCH_URL", "http://127.0.0.1:9200", "http").toString(),
        env.text("SAAM_MONGO_URI", "mongodb://127.0.0.1:27017"),
        env.text("SAAM_MONGO_DATABASE", "saam"),
        Duration.ofSeconds(env.integer("SAAM_CACHE_TTL_SECONDS", 3600, 1, 86_400)),
        env.integer("SAAM_PHOTO_MAX_BYTES", 2 * 1024 * 1024, 1024, 20 * 1024 * 1024),
        Duration.ofSeconds(env.integer("SAAM_JWT_CLOCK_SKEW_SECONDS", 30, 0, 300)),
        Duration.ofSeconds(env.integer("SAAM_TOKEN_LOG_INTERVAL_SECONDS", 10, 0, 3600)),
        env.url("SAAM_RABBITMQ_MANAGEMENT_URL", "http://127.0.0.1:15672", "http"),
        env.text("SAAM_RABBITMQ_USER", "saam-admin"),
        env.optional("SAAM_RABBITMQ_PASSWORD"),
        env.text("SAAM_KAFKA_BOOTSTRAP", "127.0.0.1:9092"),
        env.text("SAAM_KAFKA_COACHING_TOPIC", Topics.COACHING_EVENTS_TOPIC),
        Duration.ofSeconds(env.integer("SAAM_ERASURE_GRACE_SECONDS", 10, 0, 600)));
  }

  /** Whether people's app accounts can be issued: the broker's administrator is configured. */
  public boolean brokerAdministration() {
    return brokerPassword != null;
  }

  @Override
  public String toString() {
    return "UserServiceConfig[" + bindAddress + ":" + port + ", passwords hidden]";
  }

  /** The realm URL: issuer of the tokens this service accepts. */
  public String realmUrl() {
    return RealmNames.realmUrl(keycloakUrl);
  }

  /** The issuer tokens must name: SAAM_KEYCLOAK_ISSUER, else the realm URL. */
  public String issuer() {
    return keycloakIssuer == null ? realmUrl() : keycloakIssuer;
  }

  /** For tests: another coaching topic and grace period. */
  public UserServiceConfig withErasure(String topic, Duration grace) {
    return new UserServiceConfig(
        bindAddress,
        port,
        postgresUrl,
        postgresUser,
        postgresPassword,
        redisUri,
        keycloakUrl,
        keycloakIssuer,
        clientSecret,
        elasticsearchUrl,
        mongoUri,
        mongoDatabase,
        cacheTtl,
        photoMaxBytes,
        clockSkew,
        tokenLogInterval,
        brokerManagementUrl,
        brokerUser,
        brokerPassword,
        kafkaBootstrap,
        topic,
        grace);
  }

  public UserServiceConfig withPort(int value) {
    return new UserServiceConfig(
        bindAddress,
        value,
        postgresUrl,
        postgresUser,
        postgresPassword,
        redisUri,
        keycloakUrl,
        keycloakIssuer,
        clientSecret,
        elasticsearchUrl,
        mongoUri,
        mongoDatabase,
        cacheTtl,
        photoMaxBytes,
        clockSkew,
        tokenLogInterval,
        brokerManagementUrl,
        brokerUser,
        brokerPassword,
        kafkaBootstrap,
        coachingTopic,
        erasureGrace);
  }

  public UserServiceConfig withClockSkew(Duration value) {
    return new UserServiceConfig(
        bindAddress,
        port,
        postgresUrl,
        postgresUser,
        postgresPassword,
        redisUri,
        keycloakUrl,
        keycloakIssuer,
        clientSecret,
        elasticsearchUrl,
        mongoUri,
        mongoDatabase,
        cacheTtl,
        photoMaxBytes,
        value,
        tokenLogInterval,
        brokerManagementUrl,
        brokerUser,
        brokerPassword,
        kafkaBootstrap,
        coachingTopic,
        erasureGrace);
  }

  public UserServiceConfig withTokenLogInterval(Duration value) {
    return new UserServiceConfig(
        bindAddress,
        port,
        postgresUrl,
        postgresUser,
        postgresPassword,
        redisUri,
        keycloakUrl,
        keycloakIssuer,
        clientSecret,
        elasticsearchUrl,
        mongoUri,
        mongoDatabase,
        cacheTtl,
        photoMaxBytes,
        clockSkew,
        value,
        brokerManagementUrl,
        brokerUser,
        brokerPassword,
        kafkaBootstrap,
        coachingTopic,
        erasureGrace);
  }
}
