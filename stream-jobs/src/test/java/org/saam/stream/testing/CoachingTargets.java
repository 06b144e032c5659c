package org.saam.stream.testing;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import java.util.UUID;
import java.util.function.Consumer;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.saam.common.broker.Topics;
import org.saam.common.elasticsearch.Elasticsearch;
import org.saam.ingestion.testing.LocalStackEndpoints;
import org.saam.stream.options.CoachingOptions;
import org.saam.stream.pipeline.SensorPipelineOptions;

/**
 * Where a test's coaching events go: a fresh Kafka topic and a fresh Elasticsearch index, removed
 * again on {@link #close()}, and the person's app as an MQTT subscriber. {@link #enable} points the
 * pipeline's coaching stage at them.
 */
public final class CoachingTargets implements AutoCloseable {
  private final KafkaTopic topic;
  private final String index;
  private final ElasticsearchClient elasticsearch;
  private MqttClient app;

  private CoachingTargets(KafkaTopic topic, String index, ElasticsearchClient elasticsearch) {
    this.topic = topic;
    this.index = index;
    this.elasticsearch = elasticsearch;
  }

  /** A fresh topic and an index named {@code <indexPrefix><uuid>}. */
  public static CoachingTargets fresh(String indexPrefix) throws Exception {
    return new CoachingTargets(
        KafkaTopic.fresh(),
        indexPrefix + UUID.randomUUID(),
        Elasticsearch.client(LocalStackEndpoints.elasticsearchUrl()));
  }

  /** Coaching on, its events to this topic and index. */
  public SensorPipelineOptions.Builder enable(SensorPipelineOptions.Builder options) {
    return options
        .set(CoachingOptions.ENABLED, true)
        .set(CoachingOptions.KAFKA_BOOTSTRAP, LocalStackEndpoints.kafkaBootstrap())
        .set(CoachingOptions.TOPIC, topic.name())
        .set(CoachingOptions.ELASTICSEARCH_URL, LocalStackEndpoints.elasticsearchUrl())
        .set(CoachingOptions.INDEX, index);
  }

  public KafkaTopic topic() {
    return topic;
  }

  public String index() {
    return index;
  }

  public ElasticsearchClient elasticsearch() {
    return elasticsearch;
  }

  /**
   * Subscribes to {@code person}'s coaching topic as their app would (QoS 1); each push is handed
   * to {@code onPush}. Disconnected on {@link #close()}.
   */
  public void subscribeAsTheApp(String person, Consumer<byte[]> onPush) throws Exception {
    app =
        new MqttClient(LocalStackEndpoints.mqttUri(), "it-app-" + person, new MemoryPersistence());
    MqttConnectOptions connect = new MqttConnectOptions();
    connect.setCleanSession(true);
    connect.setUserName(LocalStackEndpoints.brokerUser());
    connect.setPassword(LocalStackEndpoints.brokerPassword().toCharArray());
    app.connect(connect);
    app.subscribe(
        Topics.coachingTopic(person), 1, (t, message) -> onPush.accept(message.getPayload()));
  }

  @Override
  public void close() throws Exception {
    if (app != null) {
      app.disconnect();
      app.close();
    }
    try {
      elasticsearch.indices().delete(d -> d.index(index).ignoreUnavailable(true));
      elasticsearch._transport().close();
    } finally {
      topic.close();
    }
  }
}
