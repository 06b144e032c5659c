package org.saam.examples.coaching;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.saam.common.codec.CoachingEventCodec;
import org.saam.common.records.CoachingEvent;

/** Against the local stack's Kafka (127.0.0.1:9092), on a topic of its own. */
class CoachingEventsConsumerITCase {
  private static final String BOOTSTRAP =
      System.getenv().getOrDefault("SAAM_IT_KAFKA", "127.0.0.1:9092");

  private static CoachingEvent event(String id, String user) {
    Instant end = Instant.parse("2026-11-05T11:00:00Z");
    return new CoachingEvent(
        id,
        user,
        "loc-0001",
        "sleep",
        "sleep.short_nights",
        "warning",
        end,
        "coaching.sleep.short_nights",
        List.of(
            new CoachingEvent.Evidence(
                "feature.sleep.total_sleep_min", end.minusSeconds(86_400), end, 241.5, null)),
        false);
  }

  @Test
  void handsEachEventOverOnceReportsBadRecordsAndResumesAfterTheCommittedOffset() throws Exception {
    String topic = "it-coaching-" + UUID.randomUUID();
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", BOOTSTRAP))) {
      admin.createTopics(List.of(new NewTopic(topic, 2, (short) 1))).all().get();
    }
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, BOOTSTRAP);
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    CoachingEvent first = event("a1", "user-1");
    CoachingEvent second = event("b2", "user-2");
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props)) {
      producer.send(new ProducerRecord<>(topic, "user-1", CoachingEventCodec.encode(first)));
      producer.send(new ProducerRecord<>(topic, "user-1", CoachingEventCodec.encode(first)));
      producer.send(new ProducerRecord<>(topic, "user-1", "{not json".getBytes()));
      producer.send(new ProducerRecord<>(topic, "user-2", CoachingEventCodec.encode(second)));
      producer.send(new ProducerRecord<>(topic, "user-9/e-9", null)); // an erasure's tombstone
      producer.flush();
    }

    String group = "it-group-" + UUID.randomUUID();
    CoachingEventsConsumer.Settings settings =
        new CoachingEventsConsumer.Settings(BOOTSTRAP, topic, group, true, null, null);
    List<CoachingEvent> received = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    try (CoachingEventsConsumer consumer = new CoachingEventsConsumer(settings)) {
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (received.size() < 2 && System.nanoTime() < deadline) {
        consumer.pollOnce(Duration.ofMillis(500), received::add, problems::add);
      }
      // One more poll picks up anything still behind.
      consumer.pollOnce(Duration.ofMillis(500), received::add, problems::add);
      assertThat(consumer.duplicates()).isEqualTo(1);
      assertThat(consumer.invalid()).isEqualTo(1);
      assertThat(consumer.erased())
          .as("the tombstone is an erasure, not a bad record")
          .isEqualTo(1);
    }
    assertThat(received).containsExactlyInAnyOrder(first, second);
    assertThat(problems).singleElement().asString().startsWith("skipped record at " + topic + "-");
    assertThat(CoachingEventsConsumer.describe(first))
        .contains("coaching.sleep.short_nights", "user=user-1", "event=a1", "2026-11-04=241.5");

    // The same group again: offsets were committed, nothing is handed over twice.
    try (CoachingEventsConsumer again = new CoachingEventsConsumer(settings)) {
      List<CoachingEvent> more = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        again.pollOnce(Duration.ofMillis(500), more::add, problems::add);
      }
      assertThat(more).isEmpty();
    }
  }
}
