package org.saam.stream.options;

import java.io.Serializable;
import java.time.Duration;
import java.util.List;
import org.saam.common.broker.Topics;

/**
 * The coaching stage: its rules and where its events go.
 *
 * @param enabled run the coaching rules and send events
 * @param rulesPath a coaching-rules YAML file, or {@code null} for the built-in rules
 * @param kafkaBootstrap Kafka brokers
 * @param topic Kafka topic of coaching events (must exist)
 * @param elasticsearchUrl Elasticsearch
 * @param index index of coaching events
 * @param lateAfter an event whose window ended longer ago is delivered late, not pushed
 */
public record CoachingOptions(
    boolean enabled,
    String rulesPath,
    String kafkaBootstrap,
    String topic,
    String elasticsearchUrl,
    String index,
    Duration lateAfter)
    implements Serializable {
  public static final String ENABLED = "coaching.enabled";
  public static final String RULES = "coaching.rules";
  public static final String KAFKA_BOOTSTRAP = "kafka.bootstrap";
  public static final String TOPIC = "coaching.topic";
  public static final String ELASTICSEARCH_URL = "elasticsearch.url";
  public static final String INDEX = "coaching.index";
  public static final String LATE_AFTER = "coaching.late-after-ms";

  public static final List<Option> OPTIONS =
      List.of(
          new Option(
              LATE_AFTER,
              "86400000",
              "an event whose window ended longer ago than this is marked delivered_late and not"
                  + " pushed to the app"),
          new Option(ENABLED, "true", "run the coaching rules and send events"),
          new Option(RULES, "the built-in rules", "a coaching-rules YAML file to use instead"),
          new Option(KAFKA_BOOTSTRAP, "127.0.0.1:9092", "Kafka brokers"),
          new Option(
              TOPIC, Topics.COACHING_EVENTS_TOPIC, "Kafka topic of coaching events (must exist)"),
          new Option(ELASTICSEARCH_URL, "http://127.0.0.1:9200", "Elasticsearch"),
          new Option(INDEX, Topics.COACHING_EVENTS_INDEX, "index of coaching events"));

  public CoachingOptions {
    OptionValues.range(lateAfter.toMillis(), 60_000, 36_500L * 86_400_000, LATE_AFTER);
    OptionValues.require(kafkaBootstrap, KAFKA_BOOTSTRAP);
    OptionValues.require(topic, TOPIC);
    OptionValues.require(index, INDEX);
    OptionValues.scheme(elasticsearchUrl, ELASTICSEARCH_URL, "http://", "https://");
    OptionValues.readableFile(rulesPath, RULES);
  }

  /** Reads the options, with the defaults above. */
  public static CoachingOptions from(OptionValues values) {
    return new CoachingOptions(
        values.bool(ENABLED, true),
        values.text(RULES, null),
        values.text(KAFKA_BOOTSTRAP, "127.0.0.1:9092"),
        values.text(TOPIC, Topics.COACHING_EVENTS_TOPIC),
        values.text(ELASTICSEARCH_URL, "http://127.0.0.1:9200"),
        values.text(INDEX, Topics.COACHING_EVENTS_INDEX),
        values.millis(LATE_AFTER, Duration.ofHours(24)));
  }
}
