package org.saam.ingestion.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.saam.common.records.Reading;
import org.saam.common.records.ReadingBatch;
import org.saam.ingestion.gateway.GatewayPublisher;
import org.saam.ingestion.gateway.MqttSettings;
import org.saam.ingestion.testing.LocalStackEndpoints;

/** Per-gateway broker accounts against the real RabbitMQ: a gateway can write only its home. */
class GatewayPermissionsITCase {
  private final String suffix = UUID.randomUUID().toString().substring(0, 8);
  private final String home = "it-" + suffix + "-a";
  private final String neighbour = "it-" + suffix + "-b";
  private final ReadingsQueue queue =
      new ReadingsQueue("saam.readings.it-" + suffix, "saam.it-" + suffix + "-a.readings", 10_000);

  private GatewayAccounts accounts;
  private Connection amqp;
  private final List<String> created = new ArrayList<>();

  @BeforeEach
  void queueForBothHomes() throws Exception {
    accounts = new GatewayAccounts(LocalStackEndpoints.management(), "/");
    amqp = LocalStackEndpoints.amqp().newConnection();
    BrokerTopology.install(amqp, queue);
    try (Channel channel = amqp.createChannel()) {
      // Both homes' readings land in the test's queue.
      channel.queueBind(queue.queue(), BrokerTopology.MQTT_EXCHANGE, "saam." + home + ".readings");
      channel.queueBind(
          queue.queue(), BrokerTopology.MQTT_EXCHANGE, "saam." + neighbour + ".readings");
    }
  }

  @AfterEach
  void removeAccountsAndQueue() throws Exception {
    for (String location : created) {
      accounts.remove(location);
    }
    try (Channel channel = amqp.createChannel()) {
      BrokerTopology.remove(channel, queue);
    }
    amqp.close();
  }

  private GatewayAccounts.Credentials add(String location) throws Exception {
    created.add(location);
    return accounts.add(location);
  }

  private static GatewayPublisher connect(GatewayAccounts.Credentials credentials)
      throws Exception {
    return GatewayPublisher.connect(
        MqttSettings.anonymous(LocalStackEndpoints.mqttUri(), credentials.username())
            .withCredentials(credentials.username(), credentials.password().toCharArray()));
  }

  private static ReadingBatch batch(String location, long seq) {
    Instant at = Instant.parse("2026-11-22T06:59:00Z");
    return new ReadingBatch(
        "gw-" + location, location, at, seq, List.of(new Reading("bed.presence", at, 1)));
  }

  private List<String> queuedPayloads() throws Exception {
    List<String> payloads = new ArrayList<>();
    try (Channel channel = amqp.createChannel()) {
      GetResponse response;
      while ((response = channel.basicGet(queue.queue(), true)) != null) {
        payloads.add(new String(response.getBody(), StandardCharsets.UTF_8));
      }
    }
    return payloads;
  }

  @Test
  void gatewayPublishesToItsOwnHomeAndIsRefusedForTheNeighbours() throws Exception {
    GatewayAccounts.Credentials credentials = add(home);

    try (GatewayPublisher gateway = connect(credentials)) {
      gateway.publish(batch(home, 1));
    }
    try (GatewayPublisher gateway = connect(credentials)) {
      assertThatThrownBy(() -> gateway.publish(batch(neighbour, 2)))
          .isInstanceOf(MqttException.class);
    }

    Thread.sleep(500); // let anything that was (wrongly) routed arrive
    List<String> payloads = queuedPayloads();
    assertThat(payloads).hasSize(1);
    assertThat(payloads.get(0)).contains("\"location_id\":\"" + home + "\"");
  }

  @Test
  void removedGatewayCanNoLongerConnect() throws Exception {
    GatewayAccounts.Credentials credentials = add(home);
    try (GatewayPublisher gateway = connect(credentials)) {
      gateway.publish(batch(home, 1));
    }

    assertThat(accounts.remove(home)).isTrue();

    assertThatThrownBy(() -> connect(credentials)).isInstanceOf(MqttException.class);
    assertThat(accounts.list()).doesNotContain(home);
  }

  @Test
  void addingAnExistingGatewayIsRefusedWithoutChangingItsPassword() throws Exception {
    GatewayAccounts.Credentials credentials = add(home);

    assertThatThrownBy(() -> accounts.add(home))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("already exists");
    try (GatewayPublisher gateway = connect(credentials)) {
      assertThat(gateway.isConnected()).isTrue();
    }
  }

  @Test
  void refusesLocationIdsThatCouldWidenThePermission() {
    assertThatThrownBy(() -> accounts.add("loc.*"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no dots");
  }
}
