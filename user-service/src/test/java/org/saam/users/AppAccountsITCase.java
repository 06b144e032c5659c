package org.saam.users;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.saam.identity.testing.KeycloakTokens;
import org.saam.users.testing.RunningUserService;
import org.saam.users.testing.RunningUserService.Reply;

/**
 * People's apps on the real broker: the user service issues an app account that receives the
 * person's own coaching events and nothing else.
 */
class AppAccountsITCase {
  private static final String MQTT = "tcp://127.0.0.1:1883";
  private static RunningUserService service;
  private static String admin;
  private final List<MqttClient> clients = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void startService() throws Exception {
    service = RunningUserService.start();
    admin = KeycloakTokens.demoToken("admin", "openid userapi");
  }

  @AfterAll
  static void stopService() {
    service.close();
  }

  @AfterEach
  void disconnect() throws Exception {
    for (MqttClient client : clients) {
      if (client.isConnected()) {
        client.disconnectForcibly(1_000);
      }
      client.close();
    }
  }

  private static String person() throws Exception {
    Reply created =
        service.json(
            "POST",
            "/v1/users",
            admin,
            Map.of("display_name", "App Tester", "time_zone", "Europe/Rome"));
    assertThat(created.status()).as(created.body()).isEqualTo(201);
    return created.json().get("id").asText();
  }

  private static JsonNode credentials(String person) throws Exception {
    Reply issued =
        service.send("POST", "/v1/users/" + person + "/app-credentials", admin, null, null);
    assertThat(issued.status()).as(issued.body()).isEqualTo(201);
    return issued.json();
  }

  private MqttClient app(JsonNode credentials) throws MqttException {
    MqttClient client =
        new MqttClient(
            MQTT,
            credentials.get("client_id_prefix").asText() + "-" + UUID.randomUUID(),
            new MemoryPersistence());
    clients.add(client);
    MqttConnectOptions options = new MqttConnectOptions();
    options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
    options.setCleanSession(true);
    options.setUserName(credentials.get("username").asText());
    options.setPassword(credentials.get("password").asText().toCharArray());
    client.connect(options);
    client.setTimeToWait(5_000);
    return client;
  }

  private static void pushCoaching(String person, String text) throws Exception {
    ConnectionFactory factory = new ConnectionFactory();
    factory.setHost("127.0.0.1");
    factory.setUsername(System.getenv().getOrDefault("SAAM_RABBITMQ_USER", "saam-admin"));
    factory.setPassword(System.getenv("SAAM_RABBITMQ_PASSWORD"));
    try (Connection connection = factory.newConnection();
        Channel channel = connection.createChannel()) {
      channel.confirmSelect();
      channel.basicPublish(
          "amq.topic",
          "saam.users." + person + ".coaching",
          new AMQP.BasicProperties.Builder().deliveryMode(2).build(),
          text.getBytes(StandardCharsets.UTF_8));
      channel.waitForConfirmsOrDie(5_000);
    }
  }

  @Test
  void appReceivesItsOwnCoachingEventsAndCannotSubscribeToAnotherPersons() throws Exception {
    String ana = person();
    String bor = person();
    JsonNode anaApp = credentials(ana);
    assertThat(anaApp.get("topic").asText()).isEqualTo("saam/users/" + ana + "/coaching");
    List<String> received = new CopyOnWriteArrayList<>();

    MqttClient app = app(anaApp);
    app.subscribe(
        anaApp.get("topic").asText(),
        1,
        (topic, message) -> received.add(new String(message.getPayload(), StandardCharsets.UTF_8)));
    pushCoaching(ana, "for ana");
    pushCoaching(bor, "for bor");

    for (int i = 0; i < 50 && received.isEmpty(); i++) {
      TimeUnit.MILLISECONDS.sleep(100);
    }
    assertThat(received).containsExactly("for ana");
    MqttClient snoop = app(anaApp);
    assertThatThrownBy(() -> snoop.subscribe("saam/users/" + bor + "/coaching", 1))
        .isInstanceOf(MqttException.class);
    MqttClient wildcard = app(anaApp);
    assertThatThrownBy(() -> wildcard.subscribe("saam/users/+/coaching", 1))
        .isInstanceOf(MqttException.class);
    MqttClient forger = app(anaApp);
    assertThatThrownBy(
            () -> forger.publish(anaApp.get("topic").asText(), "fake".getBytes(), 1, false))
        .isInstanceOf(MqttException.class);
  }

  @Test
  void onlyThePersonOrAnAdministratorGetsTheirAppCredentialsAndANewIssueRevokesTheOld()
      throws Exception {
    String ana = person();
    JsonNode first = credentials(ana);
    String participant = KeycloakTokens.demoToken("participant", "openid userapi");

    Reply foreign =
        service.send("POST", "/v1/users/" + ana + "/app-credentials", participant, null, null);
    JsonNode second = credentials(ana);

    assertThat(foreign.status()).isEqualTo(403);
    assertThat(foreign.contentType()).startsWith("application/problem+json");
    assertThat(second.get("password").asText()).isNotEqualTo(first.get("password").asText());
    assertThatThrownBy(() -> app(first)).isInstanceOf(MqttException.class);
    assertThat(app(second).isConnected()).isTrue();
  }

  @Test
  void erasingThePersonDeletesTheirAppAccount() throws Exception {
    String ana = person();
    JsonNode issued = credentials(ana);

    Reply erased = service.send("DELETE", "/v1/users/" + ana + "?erase=true", admin, null, null);

    assertThat(erased.status()).as(erased.body()).isEqualTo(200);
    assertThat(erased.json().at("/removed/broker_app_accounts").asLong()).isEqualTo(1);
    assertThatThrownBy(() -> app(issued)).isInstanceOf(MqttException.class);
  }
}
