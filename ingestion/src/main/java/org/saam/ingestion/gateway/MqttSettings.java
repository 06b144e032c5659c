package org.saam.ingestion.gateway;

import java.nio.file.Path;
import java.util.Objects;

/**
 * How a gateway reaches the broker.
 *
 * @param brokerUri {@code tcp://host:1883}, or {@code ssl://host:8883} for TLS
 * @param clientId the MQTT client id; a gateway uses its user name
 * @param username broker user, or {@code null} for the broker's default user
 * @param password its password, or {@code null}
 * @param trustedCa PEM file of the certificate authority to trust for TLS, or {@code null} for the
 *     JVM's default trust store
 */
public record MqttSettings(
    String brokerUri, String clientId, String username, char[] password, Path trustedCa) {
  public MqttSettings {
    Objects.requireNonNull(brokerUri, "brokerUri");
    Objects.requireNonNull(clientId, "clientId");
    if (!brokerUri.startsWith("tcp://") && !brokerUri.startsWith("ssl://")) {
      throw new IllegalArgumentException(
          "broker URI '" + brokerUri + "' must start with tcp:// or ssl://");
    }
  }

  /** Plain MQTT with the broker's default user. */
  public static MqttSettings anonymous(String brokerUri, String clientId) {
    return new MqttSettings(brokerUri, clientId, null, null, null);
  }

  public MqttSettings withCredentials(String user, char[] secret) {
    return new MqttSettings(brokerUri, clientId, user, secret, trustedCa);
  }

  public MqttSettings withTrustedCa(Path ca) {
    return new MqttSettings(brokerUri, clientId, username, password, ca);
  }

  public boolean tls() {
    return brokerUri.startsWith("ssl://");
  }

  @Override
  public String toString() {
    return "MqttSettings[" + brokerUri + ", client " + clientId + ", user " + username + "]";
  }
}
