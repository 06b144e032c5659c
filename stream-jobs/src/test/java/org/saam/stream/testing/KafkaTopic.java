package org.saam.stream.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.saam.ingestion.testing.LocalStackEndpoints;

/** A topic of one test's own on the local Kafka, and everything in it. */
public final class KafkaTopic implements AutoCloseable {
  private final String name;

  private KafkaTopic(String name) {
    this.name = name;
  }

  private static Admin admin() {
    return Admin.create(Map.of("bootstrap.servers", LocalStackEndpoints.kafkaBootstrap()));
  }

  /**
   * Creates {@code it-coaching-<random>} with three partitions, kept forever. Records carry the
   * event's time, and tests replay simulated weeks in the past: under the broker's default
   * retention (7 days) a retention check, every 5 minutes, would delete them in the middle of a
   * test.
   */
  public static KafkaTopic fresh() throws Exception {
    String name = "it-coaching-" + UUID.randomUUID();
    try (Admin admin = admin()) {
      admin
          .createTopics(
              List.of(new NewTopic(name, 3, (short) 1).configs(Map.of("retention.ms", "-1"))))
          .all()
          .get();
    }
    return new KafkaTopic(name);
  }

  public String name() {
    return name;
  }

  /** Every record, from the beginning to the current end of each partition. */
  public List<ConsumerRecord<String, byte[]>> records() {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, LocalStackEndpoints.kafkaBootstrap());
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props)) {
      List<TopicPartition> partitions = new ArrayList<>();
      consumer
          .partitionsFor(name)
          .forEach(p -> partitions.add(new TopicPartition(name, p.partition())));
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
        consumer.poll(Duration.ofMillis(200)).forEach(records::add);
      }
    }
    return records;
  }

  /** Per partition, the first offset still held and the end offset, as {@code p:first..end}. */
  public String offsets() {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, LocalStackEndpoints.kafkaBootstrap());
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props)) {
      List<TopicPartition> partitions = new ArrayList<>();
      consumer
          .partitionsFor(name)
          .forEach(p -> partitions.add(new TopicPartition(name, p.partition())));
      Map<TopicPartition, Long> begin = consumer.beginningOffsets(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      StringBuilder text = new StringBuilder();
      for (TopicPartition p : partitions) {
        text.append(' ')
            .append(p.partition())
            .append(':')
            .append(begin.get(p))
            .append("..")
            .append(end.get(p));
      }
      return text.toString().trim();
    }
  }

  @Override
  public void close() throws Exception {
    try (Admin admin = admin()) {
      admin.deleteTopics(List.of(name)).all().get();
    }
  }
}
