package org.saam.ingestion.testing;

import com.rabbitmq.client.ConnectionFactory;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import org.saam.common.broker.ManagementApi;
import org.saam.ingestion.gateway.GatewayPublisher;
import org.saam.ingestion.gateway.MqttSettings;

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

  /** The broker administrator ({@code saam-admin} on the local stack). */
  public static String brokerUser() {
    return setting("saam.it.rabbitmq-user", "SAAM_RABBITMQ_USER", "saam-admin");
  }

  public static String brokerPassword() {
    return secret("SAAM_RABBITMQ_PASSWORD", "rabbitmq-admin");
  }

  /** The pipeline's own broker account's password (user {@code saam-pipeline}). */
  public static String pipelineBrokerPassword() {
    return secret("SAAM_RABBITMQ_PIPELINE_PASSWORD", "rabbitmq-pipeline");
  }

  /** AMQP as the broker administrator. */
  public static ConnectionFactory amqp() {
    ConnectionFactory factory = new ConnectionFactory();
    factory.setHost(amqpHost());
    factory.setPort(amqpPort());
    factory.setUsername(brokerUser());
    factory.setPassword(brokerPassword());
    return factory;
  }

  /** The management API as the broker administrator. */
  public static ManagementApi management() {
    return new ManagementApi(URI.create(managementUrl()), brokerUser(), brokerPassword());
  }

  /**
   * MQTT as the local stack's simulator account, which may publish any home's readings topic (the
   * broker refuses anonymous clients).
   */
  public static MqttSettings simulatorMqtt(String clientId) {
    return MqttSettings.anonymous(mqttUri(), clientId)
        .withCredentials(
            setting("saam.it.mqtt-user", "SAAM_MQTT_USER", "saam-simulator"),
            secret("SAAM_MQTT_PASSWORD", "rabbitmq-simulator").toCharArray());
  }

  /** A publisher connected as the simulator account. */
  public static GatewayPublisher simulatorPublisher() throws Exception {
    return GatewayPublisher.connect(simulatorMqtt("it-" + java.util.UUID.randomUUID()));
  }

  /** The certificate authority the local stack's TLS listener was issued by. */
  public static Path tlsCa() {
    return stateDir().resolve("tls").resolve("ca.pem");
  }

  /** A secret from the environment, else from the file the local stack keeps it in. */
  private static String secret(String variable, String file) {
    String value = System.getenv(variable);
    if (value != null && !value.isEmpty()) {
      return value;
    }
    Path path = stateDir().resolve("secrets").resolve(file);
    try {
      return Files.readString(path).strip();
    } catch (java.io.IOException e) {
      throw new IllegalStateException(
          "no " + variable + " and no " + path + ": start the local stack with ./saam up", e);
    }
  }

  private static String setting(String property, String variable, String fallback) {
    String value = System.getProperty(property);
    if (value == null) {
      value = System.getenv(variable);
    }
    return value == null ? fallback : value;
  }
}
