package org.saam.bench;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.saam.common.cli.Cli;
import org.saam.ingestion.simulator.SimulationSettings;
import org.saam.stream.pipeline.SensorPipelineOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code state}: how much state the job keeps per resident home. Simulated homes, each with a
 * person assigned, send one day after the other into the job on RocksDB with incremental
 * checkpoints; after each day, once every reading of it is through, the next completed checkpoint
 * is read: its full size (what a restore reads), its incremental size and its duration, in total
 * and per task.
 */
@Command(
    name = "state",
    mixinStandardHelpOptions = true,
    description = "Checkpointed state per resident home after each simulated day (RocksDB).")
public final class StateBench implements Callable<Integer> {
  @Option(names = "--homes", defaultValue = "100", description = "default: ${DEFAULT-VALUE}")
  int homes;

  @Option(names = "--days", defaultValue = "3", description = "default: ${DEFAULT-VALUE}")
  int days;

  @Option(names = "--seed", defaultValue = "42", description = "default: ${DEFAULT-VALUE}")
  long seed;

  @Option(names = "--parallelism", defaultValue = "2", description = "default: ${DEFAULT-VALUE}")
  int parallelism;

  @Option(
      names = "--managed-memory-mb",
      defaultValue = "512",
      description = "the TaskManager's managed memory, RocksDB's (default: ${DEFAULT-VALUE})")
  long managedMemoryMb;

  @Option(
      names = "--job-args",
      defaultValue = "",
      description = "pipeline options, as for ./saam jobs submit")
  String jobArgs;

  @Mixin ResultFile resultFile;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    if (homes < 1 || days < 1 || parallelism < 1) {
      throw new IllegalArgumentException("--homes, --days and --parallelism must be at least 1");
    }
    PrintWriter console = spec.commandLine().getOut();
    SensorPipelineOptions options = PipelineBench.jobOptions(jobArgs);
    LocalDate start = LocalDate.of(2026, 10, 1);
    ObjectNode result = ResultFile.JSON.createObjectNode();
    result.put("bench", "state");
    result.put("date", Instant.now().toString());
    ObjectNode conditions = result.putObject("conditions");
    conditions.put("homes", homes);
    conditions.put("days", days);
    conditions.put("seed", seed);
    conditions.put("parallelism", parallelism);
    conditions.put("state_backend", "rocksdb, incremental checkpoints");
    conditions.put("managed_memory_mb", managedMemoryMb);
    conditions.put("cores", Runtime.getRuntime().availableProcessors());
    conditions.put("pipeline_config", resultFile.config.isBlank() ? jobArgs : resultFile.config);
    ArrayNode perDay = result.putArray("days");
    DayByDayMessages.reset();
    long total = 0;
    try (StateRun run = StateRun.start(options, parallelism, managedMemoryMb)) {
      for (int d = 0; d < days; d++) {
        console.printf("state: building day %d of %d (%d homes)%n", d + 1, days, homes);
        long readings =
            DayByDayMessages.build(
                SimulationSettings.defaults()
                    .withLocationPrefix("state-")
                    .withHomes(homes)
                    .withDays(1)
                    .withSeed(seed)
                    .withStartDate(start.plusDays(d)));
        total += readings;
        long began = System.nanoTime();
        DayByDayMessages.release();
        while (DayByDayMessages.daysSent() <= d
            || CountingSink.count(CountingSink.MEASUREMENTS) < DayByDayMessages.emittedReadings()) {
          Thread.sleep(200);
        }
        double seconds = (System.nanoTime() - began) / 1e9;
        StateRun.Checkpoint before = run.latest();
        long after = before == null ? -1 : before.id();
        StateRun.Checkpoint checkpoint;
        // The first checkpoint that started after the day was through (two later ones to be sure).
        do {
          Thread.sleep(500);
          checkpoint = run.latest();
        } while (checkpoint == null || checkpoint.id() < after + 2);
        ObjectNode row = perDay.addObject();
        row.put("day", d + 1);
        row.put("readings", readings);
        row.put("seconds", E2eBench.round(seconds));
        row.put("readings_per_second", Math.round(readings / seconds));
        row.put("checkpoint_id", checkpoint.id());
        row.put("state_bytes", checkpoint.stateBytes());
        row.put("state_kib_per_home", E2eBench.round(checkpoint.stateBytes() / 1024.0 / homes));
        row.put("checkpointed_bytes", checkpoint.checkpointedBytes());
        row.put("checkpoint_ms", checkpoint.durationMs());
        ObjectNode byTask = row.putObject("state_kib_per_home_by_task");
        for (Map.Entry<String, Long> task : checkpoint.byTask().entrySet()) {
          if (task.getValue() > 0) {
            byTask.put(task.getKey(), E2eBench.round(task.getValue() / 1024.0 / homes));
          }
        }
        console.printf(
            "state: day %d: %,d readings in %.1f s; checkpoint %d: %,.1f KiB per home (full),"
                + " %,d bytes incremental, %d ms%n  by task (KiB per home): %s%n",
            d + 1,
            readings,
            seconds,
            checkpoint.id(),
            checkpoint.stateBytes() / 1024.0 / homes,
            checkpoint.checkpointedBytes(),
            checkpoint.durationMs(),
            byTask);
      }
      DayByDayMessages.finish();
    }
    result.put("readings", total);
    result.put("features", CountingSink.count(CountingSink.FEATURES));
    result.put("coaching_events", CountingSink.count(CountingSink.COACHING));
    resultFile.write(result, StateBench::appendRow);
    console.printf(
        "state: %,d features, %,d coaching events%nresult: %s%n",
        CountingSink.count(CountingSink.FEATURES),
        CountingSink.count(CountingSink.COACHING),
        resultFile.out);
    return CountingSink.count(CountingSink.FEATURES) > 0 ? Cli.OK : Cli.FAILED;
  }

  /** Appends one row per day to the state table of a RESULTS.md (its header is written once). */
  static void appendRow(Path markdown, ObjectNode result) throws IOException {
    String marker = "<!-- state runs appended by ./saam bench state -->\n";
    StringBuilder add = new StringBuilder();
    ObjectNode conditions = (ObjectNode) result.get("conditions");
    for (var day : result.get("days")) {
      StringBuilder tasks = new StringBuilder();
      day.get("state_kib_per_home_by_task")
          .fields()
          .forEachRemaining(
              t -> {
                if (t.getValue().asDouble() >= 0.5) {
                  tasks.append(tasks.length() == 0 ? "" : "; ");
                  tasks.append(t.getKey()).append(' ').append(t.getValue().asText());
                }
              });
      add.append(
          String.format(
              Locale.ROOT,
              "| %s | %d | %d | %d | %d | %.1f | %d | %d | %s | %s |%n",
              result.get("date").asText(),
              conditions.get("homes").asInt(),
              day.get("day").asInt(),
              day.get("readings").asLong(),
              day.get("readings_per_second").asLong(),
              day.get("state_kib_per_home").asDouble(),
              day.get("checkpointed_bytes").asLong(),
              day.get("checkpoint_ms").asLong(),
              tasks.toString().replace("|", "/"),
              conditions.get("pipeline_config").asText().replace("|", "/")));
    }
    ResultFile.addToSection(
        markdown,
        "State runs",
        marker,
        "| date | homes | day | readings | readings/s | state KiB per home (full) |"
            + " incremental bytes | checkpoint ms | largest tasks (KiB per home) | config"
            + " |\n|---|---|---|---|---|---|---|---|---|---|\n",
        add.toString());
  }
}
