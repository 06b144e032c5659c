package org.saam.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import org.bson.Document;
import org.saam.common.cli.Cli;
import org.saam.common.store.MeasurementBuckets;
import org.saam.ingestion.simulator.SimulationSettings;
import org.saam.stream.pipeline.SensorPipelineOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code sink}: the measurement sink alone against the MongoDB-wire server. The simulator's
 * readings, grouped per bucket as the job's grouping operator would over {@code --group-messages}
 * consecutive messages, go from an in-memory source straight into the real sink (bulk bucket
 * upserts); readings/s until MongoDB holds every one.
 */
@Command(
    name = "sink",
    mixinStandardHelpOptions = true,
    description = "The measurement sink alone: grouped readings into MongoDB.")
public final class SinkBench implements Callable<Integer> {
  private static final ObjectMapper JSON = ResultFile.JSON;

  @Option(names = "--homes", defaultValue = "10", description = "default: ${DEFAULT-VALUE}")
  int homes;

  @Option(names = "--days", defaultValue = "2", description = "default: ${DEFAULT-VALUE}")
  int days;

  @Option(
      names = "--group-messages",
      defaultValue = "40",
      description =
          "messages whose readings of one bucket become one group; 40 is about 200 ms at"
              + " 10,000 readings/s, 1 writes each message's readings apart (default: ${DEFAULT-VALUE})")
  int groupMessages;

  @Option(
      names = "--parallelism",
      defaultValue = "2",
      description = "sink writers (default: ${DEFAULT-VALUE})")
  int parallelism;

  @Option(
      names = "--job-args",
      defaultValue = "",
      description = "sink options, e.g. '--sink.batch-size 500'")
  String jobArgs;

  @Mixin MongoTarget mongoTarget;

  @Mixin ResultFile resultFile;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    if (homes < 1 || days < 1 || groupMessages < 1 || parallelism < 1) {
      throw new IllegalArgumentException(
          "--homes, --days, --group-messages and --parallelism must be at least 1");
    }
    PrintWriter console = spec.commandLine().getOut();
    String prefix = "sink" + UUID.randomUUID().toString().substring(0, 8) + "-";
    SensorPipelineOptions options =
        PipelineBench.jobOptions(
            jobArgs
                + " --mongo.uri "
                + mongoTarget.uri
                + " --mongo.database "
                + mongoTarget.database);

    SimulationSettings settings =
        SimulationSettings.defaults()
            .withLocationPrefix(prefix)
            .withHomes(homes)
            .withDays(days)
            .withStartDate(LocalDate.of(2026, 10, 1));
    console.printf("sink: grouping the readings of %d homes x %d days%n", homes, days);
    PrebuiltGroups source = PrebuiltGroups.of(settings, groupMessages);
    console.printf(
        "sink: %,d readings in %,d bucket groups (%.1f readings a group), %d writers, to %s%n",
        source.readings(),
        source.groups(),
        source.readings() / (double) source.groups(),
        parallelism,
        mongoTarget.uri);

    Runnable job = SinkRun.prepare(source, options, parallelism);
    long begin = System.nanoTime();
    job.run();
    double seconds = (System.nanoTime() - begin) / 1e9;

    long stored;
    try (MongoClient mongo = MongoClients.create(mongoTarget.uri)) {
      MongoCollection<Document> measurements =
          mongo.getDatabase(mongoTarget.database).getCollection(MeasurementBuckets.COLLECTION);
      stored = E2eBench.storedSamples(measurements, prefix);
      measurements.deleteMany(
          Filters.regex(MeasurementBuckets.LOCATION_ID, "^" + Pattern.quote(prefix)));
    }
    ObjectNode result = JSON.createObjectNode();
    result.put("bench", "sink");
    result.put("date", Instant.now().toString());
    ObjectNode conditions = result.putObject("conditions");
    conditions.put("homes", homes);
    conditions.put("days", days);
    conditions.put("group_messages", groupMessages);
    conditions.put("parallelism", parallelism);
    conditions.put("config", resultFile.config);
    result.put("readings", source.readings());
    result.put("groups", source.groups());
    result.put("seconds", E2eBench.round(seconds));
    result.put("readings_per_second", Math.round(source.readings() / seconds));
    result.put("upserts_per_second", Math.round(source.groups() / seconds));
    result.put("stored", stored);
    result.put("loss", source.readings() - stored);
    resultFile.write(result, SinkBench::appendRow);
    console.printf(
        "sink: %,d readings (%,d upserts) in %.1f s: %,.0f readings/s, %,.0f upserts/s; stored %,d;"
            + " loss %,d%nresult: %s%n",
        source.readings(),
        source.groups(),
        seconds,
        source.readings() / seconds,
        source.groups() / seconds,
        stored,
        source.readings() - stored,
        resultFile.out);
    return stored == source.readings() ? Cli.OK : Cli.FAILED;
  }

  static void appendRow(Path markdown, ObjectNode result) throws IOException {
    String marker = "<!-- sink runs appended by ./saam bench sink -->\n";
    StringBuilder add = new StringBuilder();
    add.append(
        String.format(
            Locale.ROOT,
            "| %s | %d | %.1f | %d | %d | %d | %d | %s |%n",
            result.get("date").asText(),
            result.get("readings").asLong(),
            result.get("readings").asDouble() / result.get("groups").asDouble(),
            result.get("conditions").get("parallelism").asInt(),
            result.get("readings_per_second").asLong(),
            result.get("upserts_per_second").asLong(),
            result.get("loss").asLong(),
            result.get("conditions").get("config").asText().replace("|", "\\|")));
    ResultFile.addToSection(
        markdown,
        "Sink runs",
        marker,
        "| date | readings | readings a group | writers | readings/s | upserts/s | loss | config |\n"
            + "|---|---|---|---|---|---|---|---|\n",
        add.toString());
  }
}
