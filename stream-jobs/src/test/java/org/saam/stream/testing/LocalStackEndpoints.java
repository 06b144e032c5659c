package org.saam.stream.testing;

/**
 * Where the integration tests find the servers that {@code ./saam test} started. Each can be
 * pointed elsewhere with a system property or environment variable of the same meaning.
 */
public final class LocalStackEndpoints {
  private LocalStackEndpoints() {}

  public static String mqttUri() {
    return setting("saam.it.mqtt", "SAAM_IT_MQTT", "tcp://127.0.0.1:1883");
  }

  public static String amqpHost() {
    return setting("saam.it.amqp-host", "SAAM_IT_AMQP_HOST", "127.0.0.1");
  }

  public static int amqpPort() {
    return Integer.parseInt(setting("saam.it.amqp-port", "SAAM_IT_AMQP_PORT", "5672"));
  }

  public static String mongoUri() {
    return setting("saam.it.mongo", "SAAM_IT_MONGO", "mongodb://127.0.0.1:27017");
  }

  private static String setting(String property, String variable, String fallback) {
    String value = System.getProperty(property);
    if (value == null) {
      value = System.getenv(variable);
    }
    return value == null ? fallback : value;
  }
}
