package org.saam.ingestion.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.saam.common.broker.Topics;
import org.saam.ingestion.gateway.GatewayPublisher;
import org.saam.ingestion.testing.LocalStackEndpoints;
import org.saam.ingestion.testing.TestReadingsQueue;

/**
 * Who may reach the broker, on the real RabbitMQ of the local stack: no anonymous client, no {@code
 * guest}, gateways only on their own readings topic, no message over the size limit.
 */
class BrokerAccessITCase {
  private final GatewayAccounts accounts =
      new GatewayAccounts(LocalStackEndpoints.management(), "/");
  private final List<String> gateways = new ArrayList<>();
  private final List<AutoCloseable> toClose = new ArrayList<>();

  @AfterEach
  void cleanUp() throws Exception {
    for (AutoCloseable closeable : toClose) {
      closeable.close();
    }
    for (String location : gateways) {
      accounts.remove(location);
    }
  }

  private static MqttConnectOptions options(String user, String password) {
    MqttConnectOptions options = new MqttConnectOptions();
    options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
    options.setCleanSession(true);
    options.setConnectionTimeout(10);
    if (user != null) {
      options.setUserName(user);
      options.setPassword(password.toCharArray());
    }
    return options;
  }

  private static MqttClient client() throws MqttException {
    return new MqttClient(
        LocalStackEndpoints.mqttUri(), "it-" + UUID.randomUUID(), new MemoryPersistence());
  }

  private GatewayAccounts.Credentials gateway() throws Exception {
    String location = "it-" + UUID.randomUUID().toString().substring(0, 8);
    gateways.add(location);
    return accounts.add(location);
  }

  @Test
  void anonymousMqttClientIsRefused() throws Exception {
    MqttClient client = client();
    try {
      assertThatThrownBy(() -> client.connect(options(null, null)))
          .isInstanceOf(MqttException.class)
          .satisfies(
              e ->
                  assertThat(((MqttException) e).getReasonCode())
                      .isIn(
                          (int) MqttException.REASON_CODE_FAILED_AUTHENTICATION,
                          (int) MqttException.REASON_CODE_NOT_AUTHORIZED));
    } finally {
      client.close();
    }
  }

  @Test
  void guestIsRefusedOverMqttAndAmqp() throws Exception {
    MqttClient client = client();
    try {
      assertThatThrownBy(() -> client.connect(options("guest", "guest")))
          .isInstanceOf(MqttException.class);
    } finally {
      client.close();
    }
    ConnectionFactory factory = new ConnectionFactory();
    factory.setHost(LocalStackEndpoints.amqpHost());
    factory.setPort(LocalStackEndpoints.amqpPort());
    factory.setUsername("guest");
    factory.setPassword("guest");
    assertThatThrownBy(factory::newConnection)
        .isInstanceOf(com.rabbitmq.client.AuthenticationFailureException.class);
    assertThat(LocalStackEndpoints.management().get("users/guest")).isNull();
  }

  @Test
  void brokerRefusesOversizeMessage() throws Exception {
    TestReadingsQueue queue = TestReadingsQueue.declare();
    toClose.add(queue);
    GatewayPublisher publisher = LocalStackEndpoints.simulatorPublisher();
    toClose.add(publisher);
    String topic = "saam/" + queue.locationPrefix() + "0001/readings";
    byte[] oversize = new byte[400 * 1024];
    java.util.Arrays.fill(oversize, (byte) 'x');
    byte[] withinLimit = new byte[300 * 1024];
    java.util.Arrays.fill(withinLimit, (byte) 'y');

    publisher.publishAsync(topic, withinLimit).waitForCompletion(10_000);
    IMqttDeliveryToken refused = publisher.publishAsync(topic, oversize);

    // RabbitMQ 3.10 closes the MQTT session's internal channel and never acknowledges the
    // publish: a gateway waiting for its PUBACK gives up (the contract says: reconnect, and do
    // not resend that batch).
    assertThatThrownBy(() -> refused.waitForCompletion(5_000)).isInstanceOf(MqttException.class);
    assertThat(messagesIn(queue.name())).containsExactly(300 * 1024);
  }

  @Test
  void gatewayCannotPublishOrSubscribeToCoachingTopics() throws Exception {
    GatewayAccounts.Credentials gateway = gateway();
    String coaching = "saam/users/" + UUID.randomUUID() + "/coaching";

    MqttClient subscriber = client();
    toClose.add(subscriber::close);
    subscriber.connect(options(gateway.username(), gateway.password()));
    assertThatThrownBy(() -> subscriber.subscribe(coaching, 1)).isInstanceOf(MqttException.class);

    MqttClient publisher = client();
    toClose.add(publisher::close);
    publisher.connect(options(gateway.username(), gateway.password()));
    publisher.setTimeToWait(5_000);
    assertThatThrownBy(() -> publisher.publish(coaching, "fake advice".getBytes(), 1, false))
        .isInstanceOf(MqttException.class);
  }

  @Test
  void gatewayAddRefusesTheLocationIdReservedForPeoplesTopics() {
    assertThatThrownBy(() -> accounts.add(Topics.RESERVED_LOCATION_ID))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("reserved");
  }

  @Test
  void simulatorAccountPublishesReadingsOnlyAndCannotConfigureOrReadQueues() throws Exception {
    GatewayPublisher publisher = LocalStackEndpoints.simulatorPublisher();
    toClose.add(publisher);
    publisher.publishAsync("saam/any-home/readings", "{}".getBytes()).waitForCompletion(5_000);

    IMqttDeliveryToken coaching =
        publisher.publishAsync("saam/users/" + UUID.randomUUID() + "/coaching", "x".getBytes());
    assertThatThrownBy(() -> coaching.waitForCompletion(5_000)).isInstanceOf(MqttException.class);
  }

  private static List<Integer> messagesIn(String queue) throws Exception {
    List<Integer> sizes = new ArrayList<>();
    try (Connection connection = LocalStackEndpoints.amqp().newConnection();
        Channel channel = connection.createChannel()) {
      TimeUnit.MILLISECONDS.sleep(500);
      GetResponse response;
      while ((response = channel.basicGet(queue, true)) != null) {
        sizes.add(response.getBody().length);
      }
    }
    return sizes;
  }
}
