package org.saam.stream.backfill;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.testutils.CommonTestUtils;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.assertj.core.data.Offset;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.saam.common.records.Reading;
import org.saam.common.records.ReadingBatch;
import org.saam.ingestion.simulator.Simulation;
import org.saam.ingestion.simulator.SimulationSettings;
import org.saam.stream.pipeline.SensorPipelineOptions;
import org.saam.stream.testing.PipelineRunner;
import org.saam.stream.testing.PipelineTestBed;
import org.saam.stream.testing.UserServiceClient;

/**
 * The backfill against what the streaming job stored for a simulated week of two homes: the same
 * feature documents, value for value, plus what a reading too late for streaming changes.
 */
class FeatureBackfillITCase {
  private static final LocalDate START = LocalDate.of(2026, 10, 28);
  private static final int DAYS = 7;
  private static final String GAME = "feature.cognitive.game_score";

  @RegisterExtension static final MiniClusterExtension FLINK = PipelineTestBed.miniCluster();

  @RegisterExtension final PipelineTestBed bed = new PipelineTestBed(2);

  private JobClient job;

  private static Map<String, Document> byId(List<Document> features) {
    Map<String, Document> map = new HashMap<>();
    for (Document feature : features) {
      map.put(feature.getString("_id"), feature);
    }
    return map;
  }

  private static void backfill(SensorPipelineOptions options, BackfillRange range)
      throws Exception {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(PipelineRunner.PARALLELISM);
    FeatureBackfillJob.withRealConnectors(range, options).build(env);
    env.execute(FeatureBackfillJob.NAME);
  }

  @Test
  void reproducesTheStreamedFeaturesOfAStoredWeekExactlyAndTakesInAReadingTooLateForStreaming(
      @InjectMiniCluster MiniCluster cluster) throws Exception {
    Simulation simulation =
        new Simulation(
            SimulationSettings.defaults()
                .withLocationPrefix(bed.queue().locationPrefix())
                .withHomes(2)
                .withStartDate(START)
                .withDays(DAYS)
                .withSeed(11));
    List<Simulation.Message> messages = new ArrayList<>();
    simulation.run(messages::add, Simulation.Pacer.FULL_SPEED);
    JsonNode homes = simulation.report().get("homes");
    UserServiceClient users = UserServiceClient.asAdmin();
    List<String> people = new ArrayList<>();
    for (JsonNode home : homes) {
      String location = home.get("location_id").asText();
      String person = users.createPerson("Backfilled", home.get("time_zone").asText());
      users.post("/v1/locations", Map.of("location_id", location));
      users.post(
          "/v1/locations/" + location + "/assignments",
          Map.of("user_id", person, "valid_from", "2026-01-01T00:00:00Z"));
      people.add(person);
    }
    SensorPipelineOptions options = bed.options().build();
    job = bed.start(cluster, options);
    for (Simulation.Message message : messages) {
      bed.gateway().publishRaw(message.topic(), message.payload());
    }
    // Streaming is done when the last closed day of both people is stored.
    for (int i = 0; i < people.size(); i++) {
      ZoneId zone = ZoneId.of(homes.get(i).get("time_zone").asText());
      String id =
          people.get(i)
              + "|feature.activity.steps|"
              + START.plusDays(DAYS - 2).atStartOfDay(zone).toEpochSecond();
      long deadline = System.nanoTime() + 180_000_000_000L;
      while (bed.store().features().stream().noneMatch(f -> f.getString("_id").equals(id))) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError(
              "no "
                  + id
                  + "; stored: "
                  + bed.store().features().stream()
                      .map(f -> f.getString("_id"))
                      .filter(f -> f.contains("activity.steps"))
                      .sorted()
                      .toList()
                  + " samples "
                  + bed.store().sampleCount()
                  + " of "
                  + simulation.readings());
        }
        Thread.sleep(200);
      }
    }

    // A game played on the second day, reported days later: too late for the streaming job.
    JsonNode home = homes.get(0);
    ZoneId zone = ZoneId.of(home.get("time_zone").asText());
    LocalDate lateDay = START.plusDays(1);
    Instant played = lateDay.atTime(LocalTime.of(3, 17, 41)).atZone(zone).toInstant();
    String gameId = people.get(0) + "|" + GAME + "|" + lateDay.atStartOfDay(zone).toEpochSecond();
    CommonTestUtils.waitUntilCondition(
        () -> bed.store().sampleCount() == simulation.readings(), 200L);
    long stored = simulation.readings();
    bed.gateway()
        .publish(
            new ReadingBatch(
                "gw-late-" + UUID.randomUUID(),
                home.get("location_id").asText(),
                Instant.now(),
                1,
                List.of(new Reading("smartphone.game_score", played, 91))));
    CommonTestUtils.waitUntilCondition(() -> bed.store().sampleCount() == stored + 1, 100L);
    Thread.sleep(1_000); // the streaming job has seen it (and counted it as too late)
    PipelineRunner.cancelAndAwait(job);
    // The simulation starts at noon the day before START; those partial windows are outside.
    BackfillRange week = new BackfillRange(START, START.plusDays(DAYS), null);
    Map<String, Document> streamed =
        byId(
            bed.store().features().stream()
                .filter(
                    f -> {
                      Document window = f.get("window", Document.class);
                      return week.includes(
                          window.getDate("start").getTime(), window.getString("tz"));
                    })
                .toList());
    Document gameBefore = streamed.get(gameId);

    bed.store().dropFeatures();
    backfill(options, week);
    Map<String, Document> backfilled = byId(bed.store().features());

    assertThat(streamed).hasSizeGreaterThan(people.size() * 16 * (DAYS - 2));
    assertThat(backfilled.keySet()).containsAll(streamed.keySet());
    for (Map.Entry<String, Document> entry : streamed.entrySet()) {
      if (entry.getKey().equals(gameId)) {
        continue;
      }
      Document stream = entry.getValue();
      Document batch = backfilled.get(entry.getKey());
      for (String field :
          List.of(
              "user_id",
              "location_id",
              "source_id",
              "domain",
              "window",
              "value",
              "quality",
              "algo_version")) {
        assertThat(batch.get(field)).as(entry.getKey() + " " + field).isEqualTo(stream.get(field));
      }
    }
    int gamesBefore =
        gameBefore == null ? 0 : gameBefore.get("quality", Document.class).getInteger("samples");
    double sumBefore = gamesBefore == 0 ? 0 : gameBefore.getDouble("value") * gamesBefore;
    Document gameAfter = backfilled.get(gameId);
    assertThat(gameAfter.get("quality", Document.class).getInteger("samples"))
        .isEqualTo(gamesBefore + 1);
    assertThat(gameAfter.getDouble("value"))
        .isCloseTo((sumBefore + 91) / (gamesBefore + 1), Offset.offset(1e-9));

    // Only one location, and only windows of the range: the other person's features stay away.
    bed.store().dropFeatures();
    backfill(
        options, new BackfillRange(lateDay, lateDay.plusDays(1), home.get("location_id").asText()));
    List<Document> one = bed.store().features();
    assertThat(one).isNotEmpty();
    assertThat(one)
        .allSatisfy(
            f -> {
              assertThat(f.getString("user_id")).isEqualTo(people.get(0));
              assertThat(
                      f.get("window", Document.class)
                          .getDate("start")
                          .toInstant()
                          .atZone(zone)
                          .toLocalDate())
                  .isEqualTo(lateDay);
            });
    assertThat(byId(one).get(gameId).getDouble("value")).isEqualTo(gameAfter.getDouble("value"));
  }
}
