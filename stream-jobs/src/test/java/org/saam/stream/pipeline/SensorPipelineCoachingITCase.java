package org.saam.stream.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch.core.search.Hit;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.saam.common.codec.CoachingEventCodec;
import org.saam.common.records.CoachingEvent;
import org.saam.ingestion.simulator.Simulation;
import org.saam.ingestion.simulator.SimulationSettings;
import org.saam.stream.coaching.CoachingRules;
import org.saam.stream.options.CoachingOptions;
import org.saam.stream.testing.CoachingTargets;
import org.saam.stream.testing.JobMetrics;
import org.saam.stream.testing.KafkaTopic;
import org.saam.stream.testing.PipelineRunner;
import org.saam.stream.testing.PipelineTestBed;
import org.saam.stream.testing.UserServiceClient;

/**
 * Coaching end to end through real parts: a simulated fortnight of one home with three short nights
 * planted in a row, its person assigned through the user service; the events read back from Kafka,
 * Elasticsearch and an MQTT subscriber on the person's topic, as the app would.
 */
class SensorPipelineCoachingITCase {
  private static final LocalDate START = LocalDate.of(2026, 10, 28);
  private static final List<LocalDate> SHORT_NIGHTS =
      List.of(LocalDate.of(2026, 11, 2), LocalDate.of(2026, 11, 3), LocalDate.of(2026, 11, 4));

  /** Added to the shipped rules: fires at the end of a day (midnight), inside quiet hours. */
  private static final String ACTIVE_DAYS_RULE =
      """
        - id: test.active_days
          feature: feature.activity.steps
          condition: {type: threshold, op: above, value: 0}
          consecutive: 2
          min_coverage: 0.5
          cooldown: P30D
          severity: info
          message_key: coaching.test.active_days
          rationale: test rule whose events are always due at midnight
      """;

  @RegisterExtension static final MiniClusterExtension FLINK = PipelineTestBed.miniCluster();

  @RegisterExtension final PipelineTestBed bed = new PipelineTestBed();

  @TempDir Path dir;

  private ElasticsearchClient elasticsearch;
  private final List<CoachingEvent> pushed = Collections.synchronizedList(new ArrayList<>());
  private KafkaTopic topic;
  private CoachingTargets coaching;
  private String index;
  private JobClient job;

  @BeforeEach
  void freshQueueDatabaseTopicAndIndex() throws Exception {
    coaching = bed.closeAfter(CoachingTargets.fresh("it-coaching-"));
    topic = coaching.topic();
    index = coaching.index();
    elasticsearch = coaching.elasticsearch();
  }

  private SensorPipelineOptions options() throws Exception {
    Path rules = dir.resolve("coaching-rules.yaml");
    try (InputStream shipped =
        CoachingRules.class.getResourceAsStream(CoachingRules.DEFAULT_RESOURCE)) {
      Files.writeString(
          rules,
          new String(shipped.readAllBytes(), StandardCharsets.UTF_8).stripTrailing()
              + "\n"
              + ACTIVE_DAYS_RULE);
    }
    return coaching
        .enable(bed.options())
        .set(CoachingOptions.RULES, rules)

        // The fortnight lies in the past: its events are current for this test, not a backlog.
        .set(CoachingOptions.LATE_AFTER, Duration.ofDays(36_500).toMillis())
        .build();
  }

  /** Every coaching event in the topic, in offset order per partition. */
  private List<CoachingEvent> kafkaEvents() {
    List<CoachingEvent> events = new ArrayList<>();
    for (ConsumerRecord<String, byte[]> record : topic.records()) {
      CoachingEvent event = CoachingEventCodec.decode(record.value());
      assertThat(record.key())
          .isEqualTo(
              org.saam.common.broker.Topics.coachingEventKey(event.userId(), event.eventId()));
      events.add(event);
    }
    return events;
  }

  private List<CoachingEvent> indexedEvents() throws Exception {
    elasticsearch.indices().refresh(r -> r.index(index));
    return elasticsearch
        .search(s -> s.index(index).size(1000), ObjectNode.class)
        .hits()
        .hits()
        .stream()
        .map(Hit::source)
        .map(
            source -> CoachingEventCodec.decode(source.toString().getBytes(StandardCharsets.UTF_8)))
        .toList();
  }

  private static List<CoachingEvent> ofRule(List<CoachingEvent> events, String rule) {
    return events.stream().filter(e -> e.ruleId().equals(rule)).toList();
  }

  private static Set<String> ids(List<CoachingEvent> events) {
    return events.stream().map(CoachingEvent::eventId).collect(Collectors.toSet());
  }

  /** Fails at once, with the job's own error, when the job ended instead of running on. */
  private static void failIfEnded(JobClient job) {
    try {
      JobStatus status = job.getJobStatus().get();
      if (status.isGloballyTerminalState()) {
        throw new AssertionError(
            "the job ended as "
                + status
                + ": "
                + job.getJobExecutionResult().handle((r, e) -> e).get());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void waitFor(String what, java.util.function.BooleanSupplier condition)
      throws InterruptedException {
    waitFor(what, condition, () -> "");
  }

  /** Waits up to 4 minutes; a timeout says what the job did meanwhile ({@code diagnosis}). */
  private static void waitFor(
      String what,
      java.util.function.BooleanSupplier condition,
      java.util.function.Supplier<String> diagnosis)
      throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofMinutes(4).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what + diagnosis.get());
      }
      Thread.sleep(250);
    }
  }

  /** For a timeout's message: the job's state and counters, and what the stores and queue hold. */
  private String whatTheJobDid(MiniCluster cluster, JobClient job, long readings, String person) {
    StringBuilder text = new StringBuilder();
    try {
      text.append("\njob ")
          .append(job.getJobStatus().get())
          .append(", restarted: ")
          .append(
              cluster
                      .getExecutionGraph(job.getJobID())
                      .get()
                      .getStatusTimestamp(JobStatus.RESTARTING)
                  != 0);
    } catch (Exception e) {
      text.append("\njob status unknown: ").append(e);
    }
    text.append("\nqueue: ").append(bed.queue().depth());
    text.append("\nstored samples: ")
        .append(bed.store().sampleCount())
        .append(" of ")
        .append(readings);
    text.append("\nquarantined by reason: ")
        .append(
            bed.store().quarantine().stream()
                .collect(Collectors.groupingBy(q -> q.getString("reason"), Collectors.counting())));
    text.append("\nsleep features of the person: ")
        .append(
            bed.store().features().stream()
                .filter(f -> f.getString("_id").startsWith(person + "|feature.sleep."))
                .count());
    text.append("\nevents in kafka by rule: ")
        .append(
            kafkaEvents().stream()
                .collect(Collectors.groupingBy(CoachingEvent::ruleId, Collectors.counting())));
    text.append("\nkafka offsets (first held..end): ").append(topic.offsets());
    text.append("\npipeline metrics:").append(JobMetrics.describe(cluster, job.getJobID()));
    return text.toString();
  }

  @Test
  void
      threePlantedShortNightsGiveExactlyOneSleepEventInKafkaElasticsearchAndTheAppAndFeedingAgainNoNewId(
          @InjectMiniCluster MiniCluster cluster) throws Exception {
    Simulation simulation =
        new Simulation(
            SimulationSettings.defaults()
                .withLocationPrefix(bed.queue().locationPrefix())
                .withHomes(1)
                .withStartDate(START)
                .withDays(14)
                .withShortNights(Set.copyOf(SHORT_NIGHTS)));
    List<Simulation.Message> messages = new ArrayList<>();
    simulation.run(messages::add, Simulation.Pacer.FULL_SPEED);
    JsonNode home = simulation.report().get("homes").get(0);
    ZoneId zone = ZoneId.of(home.get("time_zone").asText());
    String location = home.get("location_id").asText();
    for (LocalDate night : SHORT_NIGHTS) {
      assertThat(home.get("nights").get(night.toString()).get("total_sleep_min").asDouble())
          .as("planted night " + night)
          .isLessThan(300);
    }

    UserServiceClient users = UserServiceClient.asAdmin();
    String person = users.createPerson("Coached", zone.getId());
    users.post("/v1/locations", Map.of("location_id", location));
    users.post(
        "/v1/locations/" + location + "/assignments",
        Map.of("user_id", person, "valid_from", "2026-01-01T00:00:00Z"));

    coaching.subscribeAsTheApp(person, payload -> pushed.add(CoachingEventCodec.decode(payload)));

    SensorPipelineOptions options = options();
    job = bed.start(cluster, options);
    JobClient first = job;
    long started = System.nanoTime();
    for (Simulation.Message message : messages) {
      bed.gateway().publishRaw(message.topic(), message.payload());
    }
    waitFor(
        "the sleep event in Kafka, Elasticsearch and the app",
        () -> {
          failIfEnded(first);
          try {
            return !ofRule(kafkaEvents(), "sleep.short_nights").isEmpty()
                && !ofRule(indexedEvents(), "sleep.short_nights").isEmpty()
                && !ofRule(pushed, "sleep.short_nights").isEmpty();
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        },
        () -> whatTheJobDid(cluster, first, simulation.readings(), person));
    // Let the rest of the fortnight through (its last closed day), then look at everything.
    // (The last simulated day stays open: no later reading of the home moves its time past it.)
    long lastClosedDay = START.plusDays(12).atStartOfDay(zone).toEpochSecond();
    waitFor(
        "the features of the last closed day",
        () ->
            bed.store().features().stream()
                .anyMatch(
                    f ->
                        f.getString("_id")
                            .equals(person + "|feature.activity.steps|" + lastClosedDay)));
    System.out.printf(
        "coaching fortnight: %d readings, features and events in %.1f s%n",
        simulation.readings(), (System.nanoTime() - started) / 1e9);
    Thread.sleep(2_000); // a few checkpoints: the sinks flush on them

    List<CoachingEvent> inKafka = kafkaEvents();
    List<CoachingEvent> sleep = ofRule(inKafka, "sleep.short_nights");
    assertThat(sleep).hasSize(1);
    CoachingEvent event = sleep.get(0);
    assertThat(event.userId()).isEqualTo(person);
    assertThat(event.locationId()).isEqualTo(location);
    assertThat(event.domain()).isEqualTo("sleep");
    assertThat(event.evidence())
        .extracting(e -> e.windowStart().atZone(zone).toLocalDate())
        .containsExactlyElementsOf(SHORT_NIGHTS);
    for (int i = 0; i < SHORT_NIGHTS.size(); i++) {
      assertThat(event.evidence().get(i).value())
          .isEqualTo(
              home.get("nights")
                  .get(SHORT_NIGHTS.get(i).toString())
                  .get("total_sleep_min")
                  .asDouble());
    }
    // Due when the third night's window ends: noon, outside quiet hours.
    assertThat(event.ts())
        .isEqualTo(SHORT_NIGHTS.get(2).plusDays(1).atTime(LocalTime.NOON).atZone(zone).toInstant());
    assertThat(ofRule(indexedEvents(), "sleep.short_nights")).containsExactly(event);
    assertThat(ofRule(pushed, "sleep.short_nights")).containsExactly(event);

    // Events of day windows end at midnight, inside quiet hours: they are sent at 08:00.
    List<CoachingEvent> quiet = ofRule(inKafka, "test.active_days");
    assertThat(quiet)
        .as(
            "day events among %s",
            inKafka.stream()
                .map(e -> e.ruleId() + "@" + e.ts() + (e.deliveredLate() ? "(late)" : ""))
                .toList())
        .isNotEmpty();
    for (CoachingEvent held : quiet) {
      assertThat(held.ts().atZone(zone).toLocalTime()).isEqualTo(LocalTime.of(8, 0));
      assertThat(held.ts()).isEqualTo(held.evidence().get(1).windowEnd().plus(Duration.ofHours(8)));
    }
    Set<String> idsBefore = ids(inKafka);
    assertThat(inKafka).hasSize(idsBefore.size()); // no duplicates in the log
    assertThat(ids(indexedEvents())).isEqualTo(idsBefore);

    // The same data fed again, to a fresh job without any state: the same ids, nothing new.
    // Everything was stored; what this job took but had not acknowledged yet goes back to the
    // queue when its channel closes, and would reach the fresh job first: a message of the last day
    // before the fortnight fed again makes all of it late on the home's own clock. So the job has
    // ended (not only been asked to cancel) before the queue is emptied.
    waitFor("every reading stored", () -> bed.store().sampleCount() >= simulation.readings());
    PipelineRunner.cancelAndAwait(job);
    bed.queue().purge();
    job = bed.start(cluster, options);
    for (Simulation.Message message : messages) {
      bed.gateway().publishRaw(message.topic(), message.payload());
    }
    long refed = System.nanoTime();
    JobClient second = job;
    waitFor(
        "the recomputed sleep event",
        () -> {
          failIfEnded(second);
          return ofRule(kafkaEvents(), "sleep.short_nights").size() >= 2;
        },
        () -> whatTheJobDid(cluster, second, simulation.readings(), person));
    System.out.printf(
        "coaching fortnight fed again: sleep event recomputed in %.1f s%n",
        (System.nanoTime() - refed) / 1e9);
    Thread.sleep(2_000);
    List<CoachingEvent> again = kafkaEvents();
    // A fresh job has no record of what it wrote; only a restart before its first checkpoint
    // (which holds the topic's offsets) would make it write the event a third time.
    if (cluster.getExecutionGraph(second.getJobID()).get().getStatusTimestamp(JobStatus.RESTARTING)
        == 0) {
      assertThat(ofRule(again, "sleep.short_nights"))
          .as("the job did not restart: the fresh job writes the event once more, no more")
          .hasSize(2);
    }
    assertThat(ids(again)).isEqualTo(idsBefore);
    assertThat(ids(indexedEvents())).isEqualTo(idsBefore);
    assertThat(indexedEvents()).hasSize(idsBefore.size());
    assertThat(ids(ofRule(pushed, "sleep.short_nights"))).containsExactly(event.eventId());
  }
}
