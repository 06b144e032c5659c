package org.saam.stream.sinks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.SimpleCounter;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.saam.common.records.CoachingEvent;
import org.saam.ingestion.testing.LocalStackEndpoints;
import org.saam.stream.records.CoachingEventRecord;
import org.saam.stream.testing.KafkaTopic;

/** The Kafka writer against the local stack's broker, on a topic of its own. */
class CoachingEventKafkaSinkITCase {
  private KafkaTopic topic;
  private CoachingEventKafkaSink sink;

  @BeforeEach
  void freshTopic() throws Exception {
    topic = KafkaTopic.fresh();
    sink = new CoachingEventKafkaSink(LocalStackEndpoints.kafkaBootstrap(), topic.name());
  }

  @AfterEach
  void deleteTopic() throws Exception {
    topic.close();
  }

  private static CoachingEventRecord event(int n) {
    Instant end = Instant.parse("2026-11-05T11:00:00Z").plusSeconds(86_400L * n);
    return CoachingEventRecord.of(
        new CoachingEvent(
            "event-" + n,
            "user-" + (n % 4),
            "loc-1",
            "sleep",
            "sleep.short_nights",
            "warning",
            end,
            "coaching.sleep.short_nights",
            List.of(
                new CoachingEvent.Evidence(
                    "feature.sleep.total_sleep_min", end.minusSeconds(86_400), end, 250, null)),
            false));
  }

  private static List<String> ids(List<ConsumerRecord<String, byte[]>> records) {
    return records.stream()
        .map(
            r ->
                new String(
                    r.headers().lastHeader(CoachingEventKafkaSink.EVENT_ID_HEADER).value(),
                    StandardCharsets.UTF_8))
        .toList();
  }

  /** The counters a writer registers, kept to be read back. */
  private static final class Counters extends UnregisteredMetricsGroup {
    private final Map<String, Counter> byName = new HashMap<>();

    @Override
    public <C extends Counter> C counter(String name, C counter) {
      byName.put(name, counter);
      return counter;
    }

    @Override
    public Counter counter(String name) {
      return counter(name, new SimpleCounter());
    }

    long count(String name) {
      return byName.get(name).getCount();
    }
  }

  @Test
  void aWriterRestoredFromACheckpointSkipsWhatItAlreadyWroteAndWritesTheRest() throws Exception {
    Counters before = new Counters();
    CoachingEventKafkaSink.Writer writer = sink.new Writer(before, List.of());
    writer.write(event(1), null);
    writer.write(event(2), null);
    writer.flush(false);
    List<Map<Integer, Long>> checkpoint = writer.snapshotState(1);
    // Written after the checkpoint, then the job fails before the next one completes.
    writer.write(event(3), null);
    writer.write(event(4), null);
    writer.flush(false);
    writer.close();
    assertThat(before.count("coaching_events_sent_total")).isEqualTo(4);

    Counters after = new Counters();
    CoachingEventKafkaSink.Writer restored = sink.new Writer(after, checkpoint);
    // The replay from the checkpoint: 3 and 4 again, then new events.
    for (int n = 3; n <= 6; n++) {
      restored.write(event(n), null);
    }
    restored.flush(true);
    restored.close();

    List<ConsumerRecord<String, byte[]>> records = topic.records();
    assertThat(ids(records))
        .containsExactlyInAnyOrder(
            "event-1", "event-2", "event-3", "event-4", "event-5", "event-6");
    assertThat(after.count("coaching_events_skipped_total")).isEqualTo(2);
    assertThat(after.count("coaching_events_sent_total")).isEqualTo(2);
    // Keyed per event (<user_id>/<event_id>), placed by person: one person's events share a
    // partition, in order.
    java.util.Map<String, java.util.Set<Integer>> partitionsByPerson = new java.util.HashMap<>();
    for (ConsumerRecord<String, byte[]> record : records) {
      String json = new String(record.value(), StandardCharsets.UTF_8);
      String user =
          org.saam.common.broker.Topics.userOfCoachingEventKey(record.key()).orElseThrow();
      assertThat(json).contains("\"user_id\":\"" + user + "\"");
      assertThat(record.key())
          .endsWith(
              "/"
                  + new String(
                      record.headers().lastHeader("event_id").value(), StandardCharsets.UTF_8));
      partitionsByPerson
          .computeIfAbsent(user, u -> new java.util.HashSet<>())
          .add(record.partition());
    }
    assertThat(partitionsByPerson.values()).allSatisfy(p -> assertThat(p).hasSize(1));
  }

  @Test
  void aMissingTopicIsAClearErrorAtStart() {
    CoachingEventKafkaSink missing =
        new CoachingEventKafkaSink(
            LocalStackEndpoints.kafkaBootstrap(), "no-such-" + UUID.randomUUID());
    assertThatThrownBy(() -> missing.new Writer(new Counters(), List.of()))
        .hasMessageContaining("does not exist")
        .hasMessageContaining("create it first");
  }

  @Test
  void writerStateSurvivesItsSerializer() throws Exception {
    CoachingEventKafkaSink.OffsetsSerializer serializer =
        new CoachingEventKafkaSink.OffsetsSerializer();
    Map<Integer, Long> offsets = Map.of(0, 12L, 1, 0L, 2, 99_999_999_999L);
    assertThat(serializer.deserialize(1, serializer.serialize(offsets))).isEqualTo(offsets);
    assertThatThrownBy(() -> serializer.deserialize(2, serializer.serialize(offsets)))
        .hasMessageContaining("version 2");
  }
}
