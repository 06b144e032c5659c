package org.saam.ingestion.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.junit.jupiter.api.Test;
import org.saam.ingestion.testing.LocalStackEndpoints;

/**
 * The MQTT TLS listener of the local stack (port 8883), with the stack's own CA, running the
 * security block of the production broker configuration ({@code ingestion/broker/rabbitmq.conf}).
 */
class MqttTlsITCase {

  private static MqttSettings tls() {
    MqttSettings simulator = LocalStackEndpoints.simulatorMqtt("it-tls-" + UUID.randomUUID());
    return new MqttSettings(
        LocalStackEndpoints.mqttTlsUri(),
        simulator.clientId(),
        simulator.username(),
        simulator.password(),
        null);
  }

  @Test
  void clientTrustingTheLocalCaConnectsOverTls() throws Exception {
    MqttSettings settings = tls().withTrustedCa(LocalStackEndpoints.tlsCa());

    try (GatewayPublisher gateway = GatewayPublisher.connect(settings)) {
      assertThat(gateway.isConnected()).isTrue();
      gateway.publishAsync("saam/it-tls/readings", "{}".getBytes()).waitForCompletion(5_000);
    }
  }

  @Test
  void clientThatDoesNotTrustTheLocalCaIsRefused() {
    MqttSettings settings = tls();

    assertThatThrownBy(() -> GatewayPublisher.connect(settings))
        .isInstanceOf(MqttException.class)
        .satisfies(
            e -> assertThat(e.getCause()).isInstanceOf(javax.net.ssl.SSLHandshakeException.class));
  }

  @Test
  void anonymousClientIsRefusedOverTlsToo() {
    MqttSettings anonymous =
        MqttSettings.anonymous(LocalStackEndpoints.mqttTlsUri(), "it-tls-" + UUID.randomUUID())
            .withTrustedCa(LocalStackEndpoints.tlsCa());

    assertThatThrownBy(() -> GatewayPublisher.connect(anonymous)).isInstanceOf(MqttException.class);
  }

  @Test
  void theLocalBrokerRunsTheProductionSecurityBlock() throws Exception {
    String production = Files.readString(Path.of("broker/rabbitmq.conf"));
    String block =
        production.substring(
            production.indexOf("# --- security ---"),
            production.indexOf("# --- end security ---") + "# --- end security ---".length());
    Path running =
        LocalStackEndpoints.stateDir().resolve("data").resolve("rabbitmq").resolve("rabbitmq.conf");

    assertThat(Files.readString(running)).contains(block);
  }
}
