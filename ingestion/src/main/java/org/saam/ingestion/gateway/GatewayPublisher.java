package org.saam.ingestion.gateway;

import java.io.IOException;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.saam.common.codec.ReadingBatchCodec;
import org.saam.common.records.ReadingBatch;

/**
 * Publishes gateway batches over MQTT 3.1.1 with QoS 1, as a home gateway does: one message per
 * batch to {@code saam/<location_id>/readings}. {@link #publish} returns once the broker has
 * acknowledged the message.
 */
public final class GatewayPublisher implements AutoCloseable {
  /** Most unacknowledged messages on one connection. */
  public static final int MAX_IN_FLIGHT = 100;

  private final MqttClient client;
  private final ReadingBatchCodec codec = new ReadingBatchCodec();

  private GatewayPublisher(MqttClient client) {
    this.client = client;
  }

  /**
   * Connects to the broker.
   *
   * @param brokerUri for example {@code tcp://127.0.0.1:1883}
   * @param clientId the MQTT client id, unique per connection
   * @param username broker user, or {@code null} for the broker's default user
   * @param password the user's password, or {@code null}
   */
  public static GatewayPublisher connect(
      String brokerUri, String clientId, String username, char[] password)
      throws MqttException, IOException {
    return connect(new MqttSettings(brokerUri, clientId, username, password, null));
  }

  /** Connects with the given settings; for {@code ssl://} URIs over TLS. */
  public static GatewayPublisher connect(MqttSettings settings) throws MqttException, IOException {
    MqttClient client =
        new MqttClient(settings.brokerUri(), settings.clientId(), new MemoryPersistence());
    try {
      client.connect(connectOptions(settings));
    } catch (MqttException e) {
      client.close();
      throw e;
    }
    return new GatewayPublisher(client);
  }

  static MqttConnectOptions connectOptions(MqttSettings settings) throws IOException {
    MqttConnectOptions options = new MqttConnectOptions();
    options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
    options.setCleanSession(true);
    options.setConnectionTimeout(10);
    options.setKeepAliveInterval(30);
    options.setMaxInflight(MAX_IN_FLIGHT);
    options.setAutomaticReconnect(false);
    if (settings.username() != null) {
      options.setUserName(settings.username());
      options.setPassword(settings.password());
    }
    if (settings.tls() && settings.trustedCa() != null) {
      options.setSocketFactory(TrustedCa.socketFactory(settings.trustedCa()));
    }
    return options;
  }

  /** Whether the connection is up. */
  public boolean isConnected() {
    return client.isConnected();
  }

  /** The MQTT topic of a location's readings. */
  public static String topicOf(String locationId) {
    return org.saam.common.broker.Topics.readingsTopic(locationId);
  }

  /** Publishes a batch to its location's topic and waits for the broker's acknowledgement. */
  public void publish(ReadingBatch batch) throws MqttException {
    publishRaw(topicOf(batch.locationId()), codec.encode(batch));
  }

  /**
   * Starts publishing without waiting for the broker's acknowledgement; wait on the token. At most
   * {@value #MAX_IN_FLIGHT} messages may be unacknowledged at once.
   */
  public IMqttDeliveryToken publishAsync(String topic, byte[] payload) throws MqttException {
    MqttMessage message = new MqttMessage(payload);
    message.setQos(1);
    return client.getTopic(topic).publish(message);
  }

  /** Publishes any payload to any topic, for fault injection and tests. */
  public void publishRaw(String topic, byte[] payload) throws MqttException {
    client.publish(topic, payload, 1, false);
  }

  @Override
  public void close() throws MqttException {
    try {
      if (client.isConnected()) {
        client.disconnect(5_000);
      }
    } finally {
      client.close();
    }
  }
}
