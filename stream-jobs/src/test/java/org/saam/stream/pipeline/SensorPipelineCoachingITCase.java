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
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.saam.common.codec.CoachingEventCodec;
import org.saam.common.records.CoachingEvent;
import org.saam.identity.tokenlog.Elasticsearch;
import org.saam.ingestion.gateway.GatewayPublisher;
import org.saam.ingestion.simulator.Simulation;
import org.saam.ingestion.simulator.SimulationSettings;
import org.saam.ingestion.testing.LocalStackEndpoints;
import org.saam.ingestion.testing.TestReadingsQueue;
import org.saam.stream.coaching.CoachingRules;
import org.saam.stream.testing.KafkaTopic;
import org.saam.stream.testing.MeasurementStore;
import org.saam.stream.testing.PipelineRunner;
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

  @RegisterExtension
  static final MiniClusterExtension FLINK =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(PipelineRunner.PARALLELISM)
              .build());

  @TempDir Path dir;

  private TestReadingsQueue queue;
  private MeasurementStore store;
  private GatewayPublisher gateway;
  private MqttClient app;
  private ElasticsearchClient elasticsearch;
  private final List<CoachingEvent> pushed = Collections.synchronizedList(new ArrayList<>());
  private KafkaTopic topic;
  private final String index = "it-coaching-" + UUID.randomUUID();
  private JobClient job;

  @BeforeEach
  void freshQueueDatabaseTopicAndIndex() throws Exception {
    queue = TestReadingsQueue.declare();
    store = MeasurementStore.fresh();
    gateway = LocalStackEndpoints.simulatorPublisher();
    topic = KafkaTopic.fresh();
    elasticsearch = Elasticsearch.client(LocalStackEndpoints.elasticsearchUrl());
  }

  @AfterEach
  void cleanUp() throws Exception {
    try {
      if (job != null) {
        job.cancel().get();
      }
    } finally {
      if (app != null) {
        app.disconnect();
        app.close();
      }
      elasticsearch.indices().delete(d -> d.index(index).ignoreUnavailable(true));
      elasticsearch._transport().close();
      topic.close();
      gateway.close();
      store.close();
      queue.close();
    }
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
    return PipelineRunner.options(queue.name(), store.databaseName())
        .coachingEnabled(true)
        .coachingRulesPath(rules.toString())
        .kafkaBootstrap(LocalStackEndpoints.kafkaBootstrap())
        .coachingTopic(topic.name())
        .elasticsearchUrl(LocalStackEndpoints.elasticsearchUrl())
        .coachingIndex(index)
        // The fortnight lies in the past: its events are current for this test, not a backlog.
        .coachingLateAfter(Duration.ofDays(36_500))
        .build();
  }

  /** Every coaching event in the topic, in offset order per partition. */
  private List<CoachingEvent> kafkaEvents() {
    List<CoachingEvent> events = new ArrayList<>();
    for (ConsumerRecord<String, byte[]> record : topic.records()) {
      CoachingEvent event = CoachingEventCodec.decode(record.value());
      assertThat(record.key()).isEqualTo(event.userId());
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

  @Test
  void
      threePlantedShortNightsGiveExactlyOneSleepEventInKafkaElasticsearchAndTheAppAndFeedingAgainNoNewId(
          @InjectMiniCluster MiniCluster cluster) throws Exception {
    Simulation simulation =
        new Simulation(
            SimulationSettings.defaults()
                .withLocationPrefix(queue.locationPrefix())
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

    app = new MqttClient(LocalStackEndpoints.mqttUri(), "app-" + person, new MemoryPersistence());
    MqttConnectOptions connect = new MqttConnectOptions();
    connect.setCleanSession(true);
    connect.setUserName(LocalStackEndpoints.brokerUser());
    connect.setPassword(LocalStackEndpoints.brokerPassword().toCharArray());
    app.connect(connect);
    app.subscribe(
        "saam/users/" + person + "/coaching",
        1,
        (t, message) -> pushed.add(CoachingEventCodec.decode(message.getPayload())));

    SensorPipelineOptions options = options();
    job = PipelineRunner.start(cluster, options);
    long started = System.nanoTime();
    for (Simulation.Message message : messages) {
      gateway.publishRaw(message.topic(), message.payload());
    }
    waitFor(
        "the sleep event in Kafka, Elasticsearch and the app",
        () -> {
          try {
            return !ofRule(kafkaEvents(), "sleep.short_nights").isEmpty()
                && !ofRule(indexedEvents(), "sleep.short_nights").isEmpty()
                && !ofRule(pushed, "sleep.short_nights").isEmpty();
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        });
    // Let the rest of the fortnight through (its last closed day), then look at everything.
    // (The last simulated day stays open: no later reading of the home moves its time past it.)
    long lastClosedDay = START.plusDays(12).atStartOfDay(zone).toEpochSecond();
    waitFor(
        "the features of the last closed day",
        () ->
            store.features().stream()
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
    // queue when it is cancelled, and would reach the fresh job first: a message of the last day
    // before the fortnight fed again makes all of it late on the home's own clock. So the queue
    // starts empty.
    waitFor("every reading stored", () -> store.sampleCount() >= simulation.readings());
    job.cancel().get();
    queue.purge();
    job = PipelineRunner.start(cluster, options);
    for (Simulation.Message message : messages) {
      gateway.publishRaw(message.topic(), message.payload());
    }
    waitFor(
        "the recomputed sleep event",
        () -> ofRule(kafkaEvents(), "sleep.short_nights").size() == 2);
    Thread.sleep(2_000);
    List<CoachingEvent> again = kafkaEvents();
    assertThat(ids(again)).isEqualTo(idsBefore);
    assertThat(ids(indexedEvents())).isEqualTo(idsBefore);
    assertThat(indexedEvents()).hasSize(idsBefore.size());
    assertThat(ids(ofRule(pushed, "sleep.short_nights"))).containsExactly(event.eventId());
  }
}
