package org.saam.ingestion.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.UUID;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.junit.jupiter.api.Test;
import org.saam.ingestion.testing.LocalStackEndpoints;

/** The MQTT TLS listener of the local stack (port 8883), with the stack's own CA. */
class MqttTlsITCase {

  @Test
  void clientTrustingTheLocalCaConnectsOverTls() throws Exception {
    MqttSettings settings =
        MqttSettings.anonymous(LocalStackEndpoints.mqttTlsUri(), "it-tls-" + UUID.randomUUID())
            .withTrustedCa(LocalStackEndpoints.tlsCa());

    try (GatewayPublisher gateway = GatewayPublisher.connect(settings)) {
      assertThat(gateway.isConnected()).isTrue();
      gateway.publishRaw("saam/it-tls/readings", "{}".getBytes());
    }
  }

  @Test
  void clientThatDoesNotTrustTheLocalCaIsRefused() {
    MqttSettings settings =
        MqttSettings.anonymous(LocalStackEndpoints.mqttTlsUri(), "it-tls-" + UUID.randomUUID());

    assertThatThrownBy(() -> GatewayPublisher.connect(settings))
        .isInstanceOf(MqttException.class)
        .satisfies(
            e -> assertThat(e.getCause()).isInstanceOf(javax.net.ssl.SSLHandshakeException.class));
  }
}
