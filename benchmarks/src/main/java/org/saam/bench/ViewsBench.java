package org.saam.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.BulkWriteOptions;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.UpdateOneModel;
import com.mongodb.client.model.UpdateOptions;
import com.mongodb.client.model.WriteModel;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import org.bson.BsonDocument;
import org.saam.common.cli.Cli;
import org.saam.common.store.MeasurementBuckets;
import org.saam.common.store.MeasurementBuckets.SampleUpsert;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code views}: query latency through the feature-views REST API over a large store. Loads
 * readings in bulk (hourly buckets of one sample a minute, five sources of two device views per
 * home), then times what a data scientist asks: one day of one source, a 30-day summary by day, and
 * a full day's export of a device view as NDJSON. Removes what it loaded at the end.
 */
@Command(
    name = "views",
    mixinStandardHelpOptions = true,
    description = "Query latency of feature-views with many stored readings.")
public final class ViewsBench implements Callable<Integer> {
  private static final ObjectMapper JSON = ResultFile.JSON;
  private static final String[][] SOURCES = {
    {"microhub_bed", "bed.presence"},
    {"microhub_bed", "bed.movement"},
    {"microhub_bed", "bed.breathing_rate"},
    {"microhub_bracelet", "bracelet.steps"},
    {"microhub_bracelet", "bracelet.hr"}
  };
  private static final Instant START = Instant.parse("2026-09-01T00:00:00Z");

  @Option(
      names = "--readings",
      defaultValue = "10000000",
      description = "readings to store (default: ${DEFAULT-VALUE})")
  long readings;

  @Option(
      names = "--days",
      defaultValue = "30",
      description = "days per home (default: ${DEFAULT-VALUE})")
  int days;

  @Option(
      names = "--queries",
      defaultValue = "200",
      description = "timed queries of each kind (default: ${DEFAULT-VALUE})")
  int queries;

  @Option(
      names = "--views",
      defaultValue = "http://127.0.0.1:8091",
      description = "default: ${DEFAULT-VALUE}")
  URI views;

  @Mixin MongoTarget mongoTarget;

  @Mixin ResultFile resultFile;

  @Spec CommandSpec spec;

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  @Override
  public Integer call() throws Exception {
    if (readings < 1 || days < 1 || days > 365 || queries < 1) {
      throw new IllegalArgumentException(
          "--readings and --queries must be at least 1, --days between 1 and 365");
    }
    String token = System.getenv("SAAM_BENCH_TOKEN");
    if (token == null || token.isBlank()) {
      throw new IllegalArgumentException(
          "SAAM_BENCH_TOKEN must hold a data scientist's access token (./saam bench views gets one)");
    }
    PrintWriter console = spec.commandLine().getOut();
    long perHome = (long) days * 24 * 60 * SOURCES.length;
    int homes = (int) Math.max(1, Math.ceil(readings / (double) perHome));
    String prefix = "views" + UUID.randomUUID().toString().substring(0, 8) + "-";
    try (MongoClient mongo = MongoClients.create(mongoTarget.uri)) {
      MongoCollection<BsonDocument> measurements =
          mongo
              .getDatabase(mongoTarget.database)
              .getCollection(MeasurementBuckets.COLLECTION, BsonDocument.class);
      try {
        long loadStart = System.nanoTime();
        long loaded = load(measurements, prefix, homes, console);
        double loadSeconds = (System.nanoTime() - loadStart) / 1e9;
        console.printf(
            "%nviews: %,d readings of %d homes x %d days loaded in %.0f s (%,.0f/s)%n",
            loaded, homes, days, loadSeconds, loaded / loadSeconds);

        SplittableRandom random = new SplittableRandom(7);
        Map<String, Percentiles> results = new LinkedHashMap<>();
        Map<String, Long> rows = new LinkedHashMap<>();
        for (String kind : List.of("day_of_one_source", "summary_30_days", "device_day_export")) {
          for (int i = 0; i < Math.min(20, queries); i++) {
            query(kind, prefix, homes, random, token); // warm-up, not timed
          }
          List<Double> millis = new ArrayList<>();
          long total = 0;
          for (int i = 0; i < queries; i++) {
            long begin = System.nanoTime();
            total += query(kind, prefix, homes, random, token);
            millis.add((System.nanoTime() - begin) / 1e6);
          }
          Percentiles p =
              Percentiles.of(millis.stream().mapToDouble(Double::doubleValue).toArray());
          results.put(kind, p);
          rows.put(kind, total / queries);
          console.printf(
              "  %-18s p50 %6.1f ms  p95 %6.1f ms  p99 %6.1f ms  max %6.1f ms  (%,d rows each)%n",
              kind, p.p50(), p.p95(), p.p99(), p.max(), total / queries);
        }

        ObjectNode result = JSON.createObjectNode();
        result.put("bench", "views");
        result.put("date", Instant.now().toString());
        ObjectNode conditions = result.putObject("conditions");
        conditions.put("readings_stored", loaded);
        conditions.put("homes", homes);
        conditions.put("days", days);
        conditions.put("queries_each", queries);
        conditions.put("config", resultFile.config);
        result.put("load_seconds", E2eBench.round(loadSeconds));
        ObjectNode latency = result.putObject("latency_ms");
        results.forEach(
            (kind, p) -> {
              ObjectNode k = latency.putObject(kind);
              k.put("p50", E2eBench.round(p.p50()));
              k.put("p95", E2eBench.round(p.p95()));
              k.put("p99", E2eBench.round(p.p99()));
              k.put("max", E2eBench.round(p.max()));
              k.put("rows", rows.get(kind));
            });
        resultFile.write(result, ViewsBench::appendRows);
        console.printf("result: %s%n", resultFile.out);
        return Cli.OK;
      } finally {
        long removed =
            measurements
                .deleteMany(
                    Filters.regex(MeasurementBuckets.LOCATION_ID, "^" + Pattern.quote(prefix)))
                .getDeletedCount();
        console.printf("views: removed the %,d buckets it loaded%n", removed);
      }
    }
  }

  /** One sample a minute of every source, as hourly buckets, in unordered bulk writes. */
  private long load(
      MongoCollection<BsonDocument> measurements, String prefix, int homes, PrintWriter console) {
    long loaded = 0;
    List<WriteModel<BsonDocument>> batch = new ArrayList<>();
    SplittableRandom random = new SplittableRandom(3);
    long began = System.nanoTime();
    for (int home = 0; home < homes; home++) {
      String location = prefix + home;
      String user = UUID.nameUUIDFromBytes(location.getBytes(StandardCharsets.UTF_8)).toString();
      for (String[] source : SOURCES) {
        for (int hour = 0; hour < days * 24; hour++) {
          long hourStart = START.plus(hour, ChronoUnit.HOURS).toEpochMilli();
          long[] ts = new long[60];
          double[] values = new double[60];
          for (int minute = 0; minute < 60; minute++) {
            ts[minute] = hourStart + minute * 60_000L;
            values[minute] = random.nextInt(100);
          }
          SampleUpsert upsert =
              MeasurementBuckets.bucketUpsert(
                  location, user, source[1], source[0], hourStart, ts, values);
          batch.add(
              new UpdateOneModel<>(
                  upsert.filter(), upsert.update(), new UpdateOptions().upsert(true)));
          loaded += 60;
          if (batch.size() == 1_000) {
            measurements.bulkWrite(batch, new BulkWriteOptions().ordered(false));
            batch.clear();
            double elapsed = (System.nanoTime() - began) / 1e9;
            console.printf("\r  loading: %,d readings (%,.0f/s)   ", loaded, loaded / elapsed);
            console.flush();
          }
        }
      }
    }
    if (!batch.isEmpty()) {
      measurements.bulkWrite(batch, new BulkWriteOptions().ordered(false));
    }
    return loaded;
  }

  /** One query of a kind on a random home and day; the number of rows or buckets it returned. */
  private long query(String kind, String prefix, int homes, SplittableRandom random, String token)
      throws IOException, InterruptedException {
    String location = prefix + random.nextInt(homes);
    Instant day = START.plus(random.nextInt(days), ChronoUnit.DAYS);
    String path =
        switch (kind) {
          case "day_of_one_source" ->
              "/v1/views/microhub_bed/data?location_id="
                  + location
                  + "&source_id=bed.presence&from="
                  + day
                  + "&to="
                  + day.plus(1, ChronoUnit.DAYS)
                  + "&format=json&limit=100000";
          case "summary_30_days" ->
              "/v1/views/microhub_bracelet/summary?location_id="
                  + location
                  + "&source_id=bracelet.hr&from="
                  + START
                  + "&to="
                  + START.plus(Math.min(days, 30), ChronoUnit.DAYS)
                  + "&bucket=P1D";
          case "device_day_export" ->
              "/v1/views/microhub_bed/data?location_id="
                  + location
                  + "&from="
                  + day
                  + "&to="
                  + day.plus(1, ChronoUnit.DAYS)
                  + "&format=ndjson&limit=100000";
          default -> throw new IllegalArgumentException(kind);
        };
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(views.resolve(path))
                .header("Authorization", "Bearer " + token)
                .timeout(Duration.ofSeconds(60))
                .GET()
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IllegalStateException(
          kind + " answered " + response.statusCode() + ": " + response.body());
    }
    if (kind.equals("device_day_export")) {
      return response.body().lines().filter(l -> !l.isBlank()).count();
    }
    var body = JSON.readTree(response.body());
    return body.has("rows") ? body.get("rows").size() : body.path("buckets").size();
  }

  static void appendRows(Path markdown, ObjectNode result) throws IOException {
    String marker = "<!-- views runs appended by ./saam bench views -->\n";
    StringBuilder add = new StringBuilder();
    var latency = result.get("latency_ms");
    latency
        .fieldNames()
        .forEachRemaining(
            kind -> {
              var k = latency.get(kind);
              add.append(
                  String.format(
                      Locale.ROOT,
                      "| %s | %d | %s | %d | %s | %s | %s | %s | %s |%n",
                      result.get("date").asText(),
                      result.get("conditions").get("readings_stored").asLong(),
                      kind,
                      k.get("rows").asLong(),
                      k.get("p50").asText(),
                      k.get("p95").asText(),
                      k.get("p99").asText(),
                      k.get("max").asText(),
                      result.get("conditions").get("config").asText().replace("|", "\\|")));
            });
    ResultFile.addToSection(
        markdown,
        "Views runs",
        marker,
        "| date | readings stored | query | rows | p50 ms | p95 ms | p99 ms | max ms | config |\n"
            + "|---|---|---|---|---|---|---|---|---|\n",
        add.toString());
  }
}
