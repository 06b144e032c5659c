package org.saam.users;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.saam.common.broker.Topics;
import org.saam.users.erasure.CoachingEventLog;

/**
 * The Kafka part of erasure all the way down: after the tombstones, the broker's compaction removes
 * the person's records themselves, so reading the raw log from its start finds none of their events
 * (on a topic whose compaction lag is cut to a second; in production it is a day).
 */
class CoachingEventCompactionITCase {
  private static final String KAFKA = "127.0.0.1:9092";

  @Test
  void afterTheTombstonesCompactionLeavesNoRecordOfThePersonsEventsInTheLog() throws Exception {
    String topic = "it-erasure-" + UUID.randomUUID();
    Properties adminProps = new Properties();
    adminProps.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA);
    try (Admin admin = Admin.create(adminProps)) {
      admin
          .createTopics(
              List.of(
                  new NewTopic(topic, 1, (short) 1)
                      .configs(
                          Map.of(
                              "cleanup.policy", "compact,delete",
                              "segment.ms", "500",
                              "max.compaction.lag.ms", "500",
                              "min.cleanable.dirty.ratio", "0.01",
                              "delete.retention.ms", "500"))))
          .all()
          .get();
      try {
        String person = UUID.randomUUID().toString();
        String other = UUID.randomUUID().toString();
        send(topic, Topics.coachingEventKey(person, "e1"), "{\"user_id\":\"" + person + "\"}");
        send(topic, Topics.coachingEventKey(other, "e2"), "{\"user_id\":\"" + other + "\"}");
        send(topic, Topics.coachingEventKey(person, "e3"), "{\"user_id\":\"" + person + "\"}");
        assertThat(valuesOf(topic, person)).hasSize(2);

        try (CoachingEventLog log = new CoachingEventLog(KAFKA, topic)) {
          assertThat(log.erase(person)).isEqualTo(2);
          assertThat(log.erase(person)).as("again: nothing more to remove").isZero();
        }
        // Only closed segments are compacted: later records (other people's events, as the
        // pipeline keeps writing) close the segments holding the records and the tombstones.
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (!valuesOf(topic, person).isEmpty() && System.nanoTime() < deadline) {
          Thread.sleep(1_000);
          send(topic, Topics.coachingEventKey(other, UUID.randomUUID().toString()), "{}");
        }
        assertThat(valuesOf(topic, person))
            .as("records of the person's events left in the log")
            .isEmpty();
        assertThat(valuesOf(topic, other)).as("the other person's events stay").isNotEmpty();
      } finally {
        admin.deleteTopics(List.of(topic)).all().get();
      }
    }
  }

  private static void send(String topic, String key, String json) throws Exception {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA);
    try (KafkaProducer<String, byte[]> producer =
        new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
      producer.send(new ProducerRecord<>(topic, key, json.getBytes(StandardCharsets.UTF_8))).get();
    }
  }

  /** Every record of the person that still has a value, read raw from the log's start. */
  private static List<String> valuesOf(String topic, String person) {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA);
    List<String> values = new ArrayList<>();
    try (KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
      TopicPartition partition = new TopicPartition(topic, 0);
      consumer.assign(List.of(partition));
      consumer.seekToBeginning(List.of(partition));
      long end = consumer.endOffsets(List.of(partition)).get(partition);
      while (consumer.position(partition) < end) {
        for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
          if (record.key().startsWith(person + "/") && record.value() != null) {
            values.add(record.key());
          }
        }
      }
    }
    return values;
  }
}
