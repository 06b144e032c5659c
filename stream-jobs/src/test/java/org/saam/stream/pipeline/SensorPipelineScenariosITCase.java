package org.saam.stream.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import org.apache.flink.api.common.restartstrategy.RestartStrategies;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.testutils.CommonTestUtils;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.bson.Document;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.saam.common.codec.ReadingBatchCodec;
import org.saam.common.records.Reading;
import org.saam.common.records.ReadingBatch;
import org.saam.common.store.FeatureRecord;
import org.saam.common.testing.TcpProxy;
import org.saam.ingestion.gateway.DemoHomes;
import org.saam.ingestion.gateway.GatewayPublisher;
import org.saam.ingestion.quarantine.Quarantine;
import org.saam.ingestion.simulator.FaultKind;
import org.saam.ingestion.simulator.Simulation;
import org.saam.ingestion.simulator.SimulationSettings;
import org.saam.ingestion.testing.LocalStackEndpoints;
import org.saam.stream.features.FeatureValue;
import org.saam.stream.features.FeatureWindow;
import org.saam.stream.options.SinkOptions;
import org.saam.stream.options.ValidationOptions;
import org.saam.stream.testing.DistinctReadings;
import org.saam.stream.testing.PipelineRunner;
import org.saam.stream.testing.PipelineTestBed;
import org.saam.stream.testing.UserServiceClient;

/**
 * What a data scientist relies on, through real parts: people joined at the reading's time, every
 * kind of bad input quarantined and replayable, nothing lost when a TaskManager or MongoDB goes
 * away, and a simulated week stored completely.
 */
class SensorPipelineScenariosITCase {
  private static final Instant NIGHT = Instant.parse("2026-11-21T23:00:00Z");

  @RegisterExtension static final MiniClusterExtension FLINK = PipelineTestBed.miniCluster();

  @RegisterExtension final PipelineTestBed bed = new PipelineTestBed();

  private JobClient job;
  private String home;

  @BeforeEach
  void freshQueueDatabaseAndGateway() throws Exception {
    home = bed.queue().locationPrefix() + "0001";
  }

  private SensorPipelineOptions.Builder options() {
    return bed.options();
  }

  private List<ReadingBatch> homeBatches(Duration span) {
    return new DemoHomes(bed.queue().locationPrefix(), 1, NIGHT, span, 5).batches();
  }

  private static long readingCount(List<ReadingBatch> batches) {
    return batches.stream().mapToLong(b -> b.readings().size()).sum();
  }

  private void publishShuffled(List<ReadingBatch> batches) throws Exception {
    List<ReadingBatch> shuffled = new ArrayList<>(batches);
    Collections.shuffle(shuffled, new Random(7));
    for (ReadingBatch batch : shuffled) {
      bed.gateway().publish(batch);
    }
  }

  private void waitForSamples(long expected, long timeoutMillis) throws Exception {
    long deadline = System.currentTimeMillis() + timeoutMillis;
    while (bed.store().sampleCount() < expected) {
      if (System.currentTimeMillis() > deadline) {
        throw new AssertionError(
            "only " + bed.store().sampleCount() + " of " + expected + " samples stored");
      }
      Thread.sleep(250);
    }
  }

  @Test
  void readingsBeforeAReassignmentBelongToTheFirstPersonAndAfterItToTheSecond(
      @InjectMiniCluster MiniCluster cluster) throws Exception {
    Instant move = Instant.parse("2026-11-22T00:00:00Z");
    UserServiceClient users = UserServiceClient.asAdmin();
    String ana = users.createPerson("Ana", "Europe/Ljubljana");
    String bor = users.createPerson("Bor", "Europe/Sofia");
    users.post("/v1/locations", Map.of("location_id", home));
    users.post(
        "/v1/locations/" + home + "/assignments",
        Map.of("user_id", ana, "valid_from", "2026-11-01T00:00:00Z", "valid_to", move.toString()));
    users.post(
        "/v1/locations/" + home + "/assignments",
        Map.of("user_id", bor, "valid_from", move.toString()));
    List<ReadingBatch> batches = homeBatches(Duration.ofMinutes(120));
    job = bed.start(cluster, options().build());

    publishShuffled(batches);
    waitForSamples(readingCount(batches), 60_000);

    long beforeMove =
        batches.stream()
            .flatMap(b -> b.readings().stream())
            .filter(r -> r.ts().isBefore(move))
            .count();
    long anaSamples = 0;
    long borSamples = 0;
    for (Document bucket : bed.store().buckets()) {
      long samples = bucket.get("samples", Document.class).size();
      Instant hour = bucket.getDate("hour").toInstant();
      if (ana.equals(bucket.getString("user_id"))) {
        assertThat(hour).isBefore(move);
        assertThat(bucket.getString("_id")).endsWith("|" + ana);
        anaSamples += samples;
      } else {
        assertThat(bucket.getString("user_id")).isEqualTo(bor);
        assertThat(hour).isAfterOrEqualTo(move);
        borSamples += samples;
      }
    }
    assertThat(anaSamples).isEqualTo(beforeMove);
    assertThat(borSamples).isEqualTo(readingCount(batches) - beforeMove);
  }

  @Test
  void eachKindOfBadInputIsQuarantinedWithItsReasonAndReplayAfterACatalogueChangeStoresIt(
      @InjectMiniCluster MiniCluster cluster, @TempDir Path folder) throws Exception {
    Path narrowCatalogue = folder.resolve("catalogue.yaml");
    try (InputStream full = getClass().getResourceAsStream("/saam/catalogue.yaml")) {
      String yaml = new String(full.readAllBytes(), StandardCharsets.UTF_8);
      // The same catalogue before the power monitor was added: no pmc.power_w, no pmc_device view.
      yaml = yaml.replaceAll("(?s)  - id: pmc\\.power_w\\n(    [^\\n]*\\n)+", "");
      yaml = yaml.replaceAll("(?s)  - name: pmc_device\\n(    [^\\n]*\\n)+", "");
      Files.writeString(narrowCatalogue, yaml);
    }
    job = bed.start(cluster, options().set(ValidationOptions.CATALOGUE, narrowCatalogue).build());
    String topic = GatewayPublisher.topicOf(home);
    Instant at = Instant.parse("2026-11-21T10:00:00Z");
    ReadingBatchCodec codec = new ReadingBatchCodec();
    bed.gateway()
        .publish(
            new ReadingBatch(
                "gw-" + home,
                home,
                at,
                1,
                List.of(
                    new Reading("bed.presence", at, 1),
                    new Reading("pmc.power_w", at, 120),
                    new Reading("pmc.power_w", at.plusSeconds(60), 130),
                    new Reading("bed.teleport", at, 1),
                    new Reading("bracelet.hr", at, 400),
                    new Reading("bed.presence", Instant.parse("2027-01-01T00:00:00Z"), 1))));
    String header =
        "\"gateway_id\":\"gw-"
            + home
            + "\",\"location_id\":\""
            + home
            + "\",\"sent_at\":\"2026-11-21T10:00:00Z\"";
    bed.gateway()
        .publishRaw(
            topic,
            ("{"
                    + header
                    + ",\"seq\":2,\"readings\":[{\"source_id\":\"bed.presence\",\"ts\":\"2026-11-21T10:02:00Z\",\"value\":1e400},"
                    + "{\"source_id\":\"bed.presence\",\"ts\":\"21/11/2026\",\"value\":1},{\"ts\":\"2026-11-21T10:02:00Z\",\"value\":1}]}")
                .getBytes());
    bed.gateway().publishRaw(topic, "{not json".getBytes());
    bed.gateway()
        .publishRaw(
            topic,
            ("{\"padding\":\""
                    + "x".repeat(300 * 1024)
                    + "\","
                    + header
                    + ",\"seq\":3,\"readings\":[]}")
                .getBytes());
    bed.gateway()
        .publishRaw(
            topic,
            codec.encode(
                new ReadingBatch(
                    "gw-x",
                    bed.queue().locationPrefix() + "0002",
                    at,
                    4,
                    List.of(new Reading("bed.presence", at, 1)))));
    bed.gateway()
        .publishRaw(
            topic,
            ("{\"gateway_id\":\"GW.1\",\"location_id\":\""
                    + home
                    + "\",\"sent_at\":\"2026-11-21T10:00:00Z\",\"seq\":5,\"readings\":[]}")
                .getBytes());
    StringBuilder many = new StringBuilder();
    for (int i = 0; i < 1001; i++) {
      many.append(i == 0 ? "" : ",")
          .append("{\"source_id\":\"bed.presence\",\"ts\":\"2026-11-21T10:00:00Z\",\"value\":1}");
    }
    bed.gateway()
        .publishRaw(topic, ("{" + header + ",\"seq\":6,\"readings\":[" + many + "]}").getBytes());

    List<String> expectedReasons =
        List.of(
            "unknown_source",
            "out_of_range",
            "future_timestamp",
            "non_finite_value",
            "bad_timestamp",
            "missing_field",
            "malformed_json",
            "oversize_batch",
            "location_mismatch",
            "bad_identifier",
            "too_many_readings");
    CommonTestUtils.waitUntilCondition(
        () ->
            bed.store().quarantine().stream().map(d -> d.getString("reason")).distinct().count()
                == expectedReasons.size(),
        200L);
    assertThat(bed.store().quarantine())
        .extracting(d -> d.getString("reason"))
        .containsAll(expectedReasons);
    assertThat(bed.store().quarantine())
        .filteredOn(d -> d.getString("reason").equals("unknown_source"))
        .hasSize(3);
    waitForSamples(1, 30_000);
    assertThat(bed.store().sampleCount("bed.presence"))
        .as("the valid reading of the batch is stored")
        .isEqualTo(1);

    // The catalogue learns pmc.power_w: restart the job with it, then replay what was refused.
    PipelineRunner.cancelAndAwait(job);
    job = bed.start(cluster, options().build());
    int replayed;
    try (com.mongodb.client.MongoClient mongo =
            com.mongodb.client.MongoClients.create(LocalStackEndpoints.mongoUri());
        Connection connection = LocalStackEndpoints.amqp().newConnection();
        Channel channel = connection.createChannel()) {
      Quarantine quarantine =
          new Quarantine(mongo.getDatabase(bed.store().databaseName()).getCollection("quarantine"));
      replayed = quarantine.replay(channel, "unknown_source", home);
    }

    assertThat(replayed).isEqualTo(3);
    CommonTestUtils.waitUntilCondition(() -> bed.store().sampleCount("pmc.power_w") == 2, 200L);
    CommonTestUtils.waitUntilCondition(
        () ->
            bed.store().quarantine().stream()
                .anyMatch(
                    d ->
                        d.getString("reason").equals("unknown_source")
                            && d.get("replayed_at") == null
                            && d.getString("raw").contains("bed.teleport")),
        200L);
  }

  @Test
  void losesAndDuplicatesNothingWhenTheTaskManagerIsRestarted(
      @InjectMiniCluster MiniCluster cluster) throws Exception {
    List<ReadingBatch> batches = homeBatches(Duration.ofMinutes(240));
    long readings = readingCount(batches);
    job =
        bed.start(
            cluster,
            options().build(),
            Function.identity(),
            env -> {
              env.setRestartStrategy(RestartStrategies.fixedDelayRestart(20, 500));
              return env;
            });
    int half = batches.size() / 2;
    for (ReadingBatch batch : batches.subList(0, half)) {
      bed.gateway().publish(batch);
    }
    CommonTestUtils.waitUntilCondition(() -> bed.store().sampleCount() > 0, 100L);

    cluster.terminateTaskManager(0).get();
    cluster.startTaskManager();
    for (ReadingBatch batch : batches.subList(half, batches.size())) {
      bed.gateway().publish(batch);
    }

    waitForSamples(readings, 120_000);
    Thread.sleep(1_000); // anything redelivered after the restart would show as extra samples now
    assertThat(bed.store().sampleCount()).isEqualTo(readings);
  }

  @Test
  void storesEverythingAfterMongoWasUnreachableForThirtySeconds(
      @InjectMiniCluster MiniCluster cluster) throws Exception {
    List<ReadingBatch> batches = homeBatches(Duration.ofMinutes(180));
    long readings = readingCount(batches);
    int mongoPort =
        Integer.parseInt(LocalStackEndpoints.mongoUri().replaceAll(".*:(\\d+).*", "$1"));
    try (TcpProxy proxy = new TcpProxy(mongoPort)) {
      SensorPipelineOptions viaProxy =
          options()
              .set(
                  SinkOptions.MONGO_URI,
                  "mongodb://127.0.0.1:"
                      + proxy.port()
                      + "/?serverSelectionTimeoutMS=2000&connectTimeoutMS=2000")
              .build();
      job =
          bed.start(
              cluster,
              viaProxy,
              Function.identity(),
              env -> {
                env.setRestartStrategy(RestartStrategies.fixedDelayRestart(100, 1000));
                return env;
              });
      int third = batches.size() / 3;
      for (ReadingBatch batch : batches.subList(0, third)) {
        bed.gateway().publish(batch);
      }
      CommonTestUtils.waitUntilCondition(() -> bed.store().sampleCount() > 0, 100L);

      proxy.cut();
      for (ReadingBatch batch : batches.subList(third, batches.size())) {
        bed.gateway().publish(batch);
      }
      Thread.sleep(30_000);
      long duringOutage = bed.store().sampleCount();
      proxy.restore();

      waitForSamples(readings, 120_000);
      assertThat(duringOutage).isLessThan(readings);
      assertThat(bed.store().sampleCount()).isEqualTo(readings);
    }
  }

  @Test
  void
      aSimulatedWeekWithResentBatchesIsStoredOnceAndEveryClosedWindowHasTheFeaturesOfTheDistinctReadings(
          @InjectMiniCluster MiniCluster cluster) throws Exception {
    // 5 % of the batches are sent twice, as a gateway whose acknowledgement was lost does.
    Simulation simulation =
        new Simulation(
            SimulationSettings.defaults()
                .withLocationPrefix(bed.queue().locationPrefix())
                .withHomes(1)
                .withDays(7)
                .withFaults(java.util.EnumSet.of(FaultKind.DUPLICATES), 0.05));
    List<Simulation.Message> messages = new ArrayList<>();
    simulation.run(messages::add, Simulation.Pacer.FULL_SPEED);
    JsonNode truth = simulation.report();
    JsonNode simulatedHome = truth.get("homes").get(0);
    assertThat(messages.size())
        .as("batches were resent")
        .isGreaterThan(truth.get("sent").get("batches").asInt());
    UserServiceClient users = UserServiceClient.asAdmin();
    String person = users.createPerson("Simulated", simulatedHome.get("time_zone").asText());
    users.post("/v1/locations", Map.of("location_id", home));
    users.post(
        "/v1/locations/" + home + "/assignments",
        Map.of("user_id", person, "valid_from", "2026-01-01T00:00:00Z"));
    job = bed.start(cluster, options().build());
    long started = System.nanoTime();

    for (Simulation.Message message : messages) {
      bed.gateway().publishRaw(message.topic(), message.payload());
    }
    waitForSamples(simulation.readings(), 240_000);
    double seconds = (System.nanoTime() - started) / 1e9;

    JsonNode perSource = truth.get("sent").get("per_source");
    perSource
        .fields()
        .forEachRemaining(
            entry ->
                assertThat(bed.store().sampleCount(entry.getKey()))
                    .as(entry.getKey())
                    .isEqualTo(entry.getValue().asLong()));
    assertThat(bed.store().sampleCount()).isEqualTo(simulation.readings());
    System.out.printf(
        "simulated week: %d readings (%d messages) stored in %.1f s%n",
        simulation.readings(), messages.size(), seconds);

    // Every window that has ended (the home's time is past it) is stored with the features of
    // the distinct readings, all sixteen, value, samples and coverage; and with the truth.
    ZoneId zone = ZoneId.of(simulatedHome.get("time_zone").asText());
    DistinctReadings distinct =
        DistinctReadings.of(messages.stream().map(Simulation.Message::payload).toList());
    Map<String, FeatureValue> expected = new java.util.TreeMap<>();
    List<String> days = new ArrayList<>();
    simulatedHome.get("days").fieldNames().forEachRemaining(days::add);
    for (String date : days) {
      FeatureWindow day = FeatureWindow.day(LocalDate.parse(date), zone);
      FeatureWindow night = FeatureWindow.night(LocalDate.parse(date), zone);
      if (distinct.ended(day, 180_000)) {
        distinct
            .day(day)
            .forEach(
                (f, v) -> expected.put(person + "|" + f + "|" + day.start().getEpochSecond(), v));
      }
      if (distinct.ended(night, 180_000)) {
        distinct
            .night(night)
            .forEach(
                (f, v) -> expected.put(person + "|" + f + "|" + night.start().getEpochSecond(), v));
      }
    }
    assertThat(expected).hasSizeGreaterThan(5 * 16);
    CommonTestUtils.waitUntilCondition(
        () -> storedFeatures().keySet().containsAll(expected.keySet()), 200L);
    Map<String, FeatureRecord> stored = storedFeatures();
    for (Map.Entry<String, FeatureValue> want : expected.entrySet()) {
      FeatureRecord got = stored.get(want.getKey());
      assertThat(got.value()).as(want.getKey()).isEqualTo(want.getValue().value());
      assertThat(got.samples()).as(want.getKey() + " samples").isEqualTo(want.getValue().samples());
      assertThat(got.coverage())
          .as(want.getKey() + " coverage")
          .isEqualTo(want.getValue().coverage());
    }
    for (String date : days) {
      FeatureWindow day = FeatureWindow.day(LocalDate.parse(date), zone);
      if (!distinct.ended(day, 180_000)) {
        continue;
      }
      JsonNode truthOfDay = simulatedHome.get("days").get(date);
      String prefix = person + "|feature.";
      long start = day.start().getEpochSecond();
      for (String[] pair :
          new String[][] {
            {"activity.steps", "steps"},
            {"activity.active_min", "active_min"},
            {"activity.longest_sedentary_min", "longest_sedentary_min"},
            {"mobility.room_transitions", "room_transitions"},
            {"mobility.time_out_of_home_min", "time_out_of_home_min"},
            {"social.calls", "calls"},
            {"social.conversation_min", "conversation_min"},
            {"nutrition.meals", "meals"}
          }) {
        assertThat(stored.get(prefix + pair[0] + "|" + start).value())
            .as(pair[0] + " on " + date)
            .isEqualTo(truthOfDay.get(pair[1]).asDouble());
      }
      assertThat(stored.get(prefix + "nutrition.intake_g|" + start).value())
          .as("intake on " + date)
          .isCloseTo(
              truthOfDay.get("intake_g").asDouble(), org.assertj.core.data.Offset.offset(0.01));
      if (!truthOfDay.get("game_score").isNull()) {
        assertThat(stored.get(prefix + "cognitive.game_score|" + start).value())
            .as("game score on " + date)
            .isCloseTo(
                truthOfDay.get("game_score").asDouble(),
                org.assertj.core.data.Offset.offset(0.001));
      }
      assertThat(stored.get(prefix + "activity.steps|" + start).locationId()).isEqualTo(home);
    }
  }

  /** The stored features by id. */
  private Map<String, FeatureRecord> storedFeatures() {
    Map<String, FeatureRecord> byId = new java.util.HashMap<>();
    for (Document document : bed.store().features()) {
      byId.put(document.getString("_id"), FeatureRecord.read(document));
    }
    return byId;
  }
}
