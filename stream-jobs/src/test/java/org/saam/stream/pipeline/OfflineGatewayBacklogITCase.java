package org.saam.stream.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.bson.Document;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.saam.common.codec.CoachingEventCodec;
import org.saam.common.codec.ReadingBatchCodec;
import org.saam.common.records.CoachingEvent;
import org.saam.common.records.Reading;
import org.saam.ingestion.simulator.Simulation;
import org.saam.ingestion.simulator.SimulationSettings;
import org.saam.stream.testing.CoachingTargets;
import org.saam.stream.testing.KafkaTopic;
import org.saam.stream.testing.PipelineTestBed;
import org.saam.stream.testing.UserServiceClient;

/**
 * Per-home event time on a MiniCluster: one home's gateway is offline for two simulated days while
 * another home keeps sending, then uploads its backlog. The offline home's features equal the
 * simulator's ground truth for every day, and the coaching event planted in its backlog appears
 * exactly once, marked delivered late, and is not pushed to the person's app.
 */
class OfflineGatewayBacklogITCase {
  private static final LocalDate START = LocalDate.of(2026, 11, 2);
  private static final int DAYS = 8;
  private static final Instant OFFLINE_FROM = Instant.parse("2026-11-05T00:00:00Z");
  private static final Instant OFFLINE_UNTIL = Instant.parse("2026-11-07T00:00:00Z");

  /** The third short night closes (noon of the 6th) while the gateway is offline. */
  private static final Set<LocalDate> SHORT_NIGHTS =
      Set.of(LocalDate.of(2026, 11, 3), LocalDate.of(2026, 11, 4), LocalDate.of(2026, 11, 5));

  @RegisterExtension static final MiniClusterExtension FLINK = PipelineTestBed.miniCluster();

  @RegisterExtension final PipelineTestBed bed = new PipelineTestBed(2);

  private KafkaTopic topic;
  private ElasticsearchClient elasticsearch;
  private final List<String> pushed = Collections.synchronizedList(new ArrayList<>());
  private CoachingTargets coaching;
  private String index;
  private JobClient job;

  @BeforeEach
  void freshQueueDatabaseTopicAndIndex() throws Exception {
    coaching = bed.closeAfter(CoachingTargets.fresh("it-backlog-"));
    topic = coaching.topic();
    index = coaching.index();
    elasticsearch = coaching.elasticsearch();
  }

  @Test
  void offlineGatewayBacklogGetsItsFeaturesAndItsCoachingEventOnceMarkedLate(
      @InjectMiniCluster MiniCluster cluster) throws Exception {
    Simulation simulation =
        new Simulation(
            SimulationSettings.defaults()
                .withLocationPrefix(bed.queue().locationPrefix())
                .withHomes(2)
                .withStartDate(START)
                .withDays(DAYS)
                .withShortNights(SHORT_NIGHTS));
    List<Simulation.Message> messages = new ArrayList<>();
    simulation.run(messages::add, Simulation.Pacer.FULL_SPEED);
    JsonNode offlineHome = simulation.report().get("homes").get(0);
    String offline = offlineHome.get("location_id").asText();
    ZoneId zone = ZoneId.of(offlineHome.get("time_zone").asText());

    UserServiceClient users = UserServiceClient.asAdmin();
    String person = users.createPerson("Offline", zone.getId());
    users.post("/v1/locations", Map.of("location_id", offline));
    users.post(
        "/v1/locations/" + offline + "/assignments",
        Map.of("user_id", person, "valid_from", "2026-01-01T00:00:00Z"));
    subscribeAsTheApp(person);

    job = bed.start(cluster, coaching.enable(bed.options()).build());

    // The other home sends everything; the offline home only what it sent before going offline.
    List<Simulation.Message> backlog = new ArrayList<>();
    ReadingBatchCodec codec = new ReadingBatchCodec();
    for (Simulation.Message message : messages) {
      if (message.locationId().equals(offline) && !newest(codec, message).isBefore(OFFLINE_FROM)) {
        backlog.add(message);
      } else {
        bed.gateway().publishRaw(message.topic(), message.payload());
      }
    }
    long sentBefore =
        messages.stream().filter(m -> m.locationId().equals(offline)).count() - backlog.size();
    assertThat(sentBefore).isPositive();
    assertThat(backlog.stream().filter(m -> newest(codec, m).isBefore(OFFLINE_UNTIL))).isNotEmpty();
    // Back online: the backlog, in the gateway's order.
    for (Simulation.Message message : backlog) {
      bed.gateway().publishRaw(message.topic(), message.payload());
    }

    List<String> days = new ArrayList<>();
    offlineHome.get("days").fieldNames().forEachRemaining(days::add);
    List<String> closedDays = days.subList(0, days.size() - 1);
    long lastClosedDay =
        LocalDate.parse(closedDays.get(closedDays.size() - 1)).atStartOfDay(zone).toEpochSecond();
    waitFor(
        "the offline home's features up to its last closed day",
        () ->
            stepsOf(person).stream()
                .anyMatch(
                    f ->
                        f.getString("_id")
                            .equals(person + "|feature.activity.steps|" + lastClosedDay)));
    for (String day : closedDays) {
      long start = LocalDate.parse(day).atStartOfDay(zone).toEpochSecond();
      Document steps =
          stepsOf(person).stream()
              .filter(f -> f.getString("_id").equals(person + "|feature.activity.steps|" + start))
              .findFirst()
              .orElseThrow(() -> new AssertionError("no steps feature for " + day));
      assertThat(steps.getDouble("value"))
          .as("steps on " + day)
          .isEqualTo(offlineHome.get("days").get(day).get("steps").asDouble());
    }

    waitFor("the offline home's sleep event", () -> !sleepEventsOf(person).isEmpty());
    Thread.sleep(2_000); // a few checkpoints: the sinks flush on them
    List<CoachingEvent> events = sleepEventsOf(person);
    assertThat(events).hasSize(1);
    CoachingEvent event = events.get(0);
    assertThat(event.deliveredLate()).isTrue();
    assertThat(event.evidence())
        .extracting(e -> e.windowStart().atZone(zone).toLocalDate())
        .containsExactlyInAnyOrderElementsOf(SHORT_NIGHTS);
    assertThat(pushed).as("late events are not pushed to the app").isEmpty();
  }

  private static Instant newest(ReadingBatchCodec codec, Simulation.Message message) {
    try {
      return codec.decode(message.payload()).batch().readings().stream()
          .map(Reading::ts)
          .max(Instant::compareTo)
          .orElse(Instant.EPOCH);
    } catch (org.saam.common.codec.PayloadException e) {
      throw new AssertionError("the simulator sent a batch its own codec refuses", e);
    }
  }

  private List<Document> stepsOf(String person) {
    return bed.store().features().stream()
        .filter(f -> f.getString("user_id").equals(person))
        .filter(f -> f.getString("source_id").equals("feature.activity.steps"))
        .toList();
  }

  private List<CoachingEvent> sleepEventsOf(String person) {
    List<CoachingEvent> events = new ArrayList<>();
    for (ConsumerRecord<String, byte[]> record : topic.records()) {
      CoachingEvent event = CoachingEventCodec.decode(record.value());
      if (event.userId().equals(person) && event.ruleId().equals("sleep.short_nights")) {
        events.add(event);
      }
    }
    return events;
  }

  private void subscribeAsTheApp(String person) throws Exception {
    coaching.subscribeAsTheApp(
        person, payload -> pushed.add(new String(payload, StandardCharsets.UTF_8)));
  }

  private static void waitFor(String what, java.util.function.BooleanSupplier condition)
      throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofMinutes(4).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(250);
    }
  }
}
