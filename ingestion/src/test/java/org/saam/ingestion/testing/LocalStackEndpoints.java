package org.saam.ingestion.testing;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the integration tests find the servers that {@code ./saam test} started. Each can be
 * pointed elsewhere with a system property or environment variable of the same meaning.
 */
public final class LocalStackEndpoints {
  private LocalStackEndpoints() {}

  public static String mqttUri() {
    return setting("saam.it.mqtt", "SAAM_IT_MQTT", "tcp://127.0.0.1:1883");
  }

  public static String mqttTlsUri() {
    return setting("saam.it.mqtt-tls", "SAAM_IT_MQTT_TLS", "ssl://127.0.0.1:8883");
  }

  public static String amqpHost() {
    return setting("saam.it.amqp-host", "SAAM_IT_AMQP_HOST", "127.0.0.1");
  }

  public static int amqpPort() {
    return Integer.parseInt(setting("saam.it.amqp-port", "SAAM_IT_AMQP_PORT", "5672"));
  }

  public static String managementUrl() {
    return setting("saam.it.management", "SAAM_IT_MANAGEMENT", "http://127.0.0.1:15672");
  }

  public static String kafkaBootstrap() {
    return setting("saam.it.kafka", "SAAM_IT_KAFKA", "127.0.0.1:9092");
  }

  public static String elasticsearchUrl() {
    return setting("saam.it.elasticsearch", "SAAM_IT_ELASTICSEARCH", "http://127.0.0.1:9200");
  }

  public static String mongoUri() {
    return setting("saam.it.mongo", "SAAM_IT_MONGO", "mongodb://127.0.0.1:27017");
  }

  /**
   * The local stack's state folder: {@code SAAM_STATE_DIR}, else the {@code .saam} folder of the
   * checkout the tests run in.
   */
  public static Path stateDir() {
    String configured = System.getenv("SAAM_STATE_DIR");
    if (configured != null) {
      return Path.of(configured);
    }
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.isRegularFile(dir.resolve("saam"))) {
        return dir.resolve(".saam");
      }
    }
    throw new IllegalStateException(
        "no checkout with ./saam above " + Path.of("").toAbsolutePath());
  }

  /** The certificate authority the local stack's TLS listener was issued by. */
  public static Path tlsCa() {
    return stateDir().resolve("tls").resolve("ca.pem");
  }

  private static String setting(String property, String variable, String fallback) {
    String value = System.getProperty(property);
    if (value == null) {
      value = System.getenv(variable);
    }
    return value == null ? fallback : value;
  }
}
