package org.saam.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.HashMap;
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
 * {@code pipeline}: the Flink job alone. Gateway payloads are built in memory by the simulator
 * before the clock starts; an in-process source hands them to the real operators (parse, validate,
 * rate limits, event time, join, features, coaching) as fast as they take them; the sinks count and
 * discard. Measures readings per second through the job on a local cluster in this JVM,
 * checkpointing as in production.
 */
@Command(
    name = "pipeline",
    mixinStandardHelpOptions = true,
    description = "The Flink job alone: in-memory payloads, real operators, counting sinks.")
public final class PipelineBench implements Callable<Integer> {
  private static final ObjectMapper JSON = ResultFile.JSON;

  @Option(
      names = "--homes",
      defaultValue = "10",
      description = "simulated homes (default: ${DEFAULT-VALUE})")
  int homes;

  @Option(
      names = "--days",
      defaultValue = "7",
      description = "simulated days (default: ${DEFAULT-VALUE})")
  int days;

  @Option(names = "--seed", defaultValue = "42", description = "default: ${DEFAULT-VALUE}")
  long seed;

  @Option(
      names = "--parallelism",
      defaultValue = "2",
      description =
          "of every operator but the source, as on the cluster (default: ${DEFAULT-VALUE})")
  int parallelism;

  @Option(
      names = "--job-args",
      defaultValue = "",
      description =
          "pipeline options, as for ./saam jobs submit (for example '--checkpoint.interval-ms 5000')")
  String jobArgs;

  @Mixin ResultFile resultFile;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    if (homes < 1 || days < 1 || parallelism < 1) {
      throw new IllegalArgumentException("--homes, --days and --parallelism must be at least 1");
    }
    PrintWriter console = spec.commandLine().getOut();
    SimulationSettings settings =
        SimulationSettings.defaults()
            .withLocationPrefix("pipe-")
            .withHomes(homes)
            .withDays(days)
            .withSeed(seed)
            .withStartDate(LocalDate.of(2026, 10, 1));
    SensorPipelineOptions options = jobOptions(jobArgs);

    console.printf("pipeline: building the payloads of %d homes x %d days%n", homes, days);
    PrebuiltMessages source = PrebuiltMessages.of(settings);
    long readings = source.readings();
    console.printf(
        "pipeline: %,d readings in %,d messages; running the job at parallelism %d%n",
        readings, source.messages(), parallelism);

    // Flink's classes are touched only in PipelineRun: the other benchmarks run without them.
    Runnable job = PipelineRun.prepare(source, options, parallelism);
    Thread progress = progressLine(console, readings);
    job.run();
    long finishedAt = System.nanoTime();
    progress.interrupt();
    progress.join();
    double seconds = (finishedAt - PrebuiltMessages.firstEmitNanos()) / 1e9;
    long stored = CountingSink.count(CountingSink.MEASUREMENTS);

    ObjectNode result = JSON.createObjectNode();
    result.put("bench", "pipeline");
    result.put("date", Instant.now().toString());
    ObjectNode conditions = result.putObject("conditions");
    conditions.put("homes", homes);
    conditions.put("days", days);
    conditions.put("seed", seed);
    conditions.put("parallelism", parallelism);
    conditions.put("cores", Runtime.getRuntime().availableProcessors());
    conditions.put("max_heap_mb", Runtime.getRuntime().maxMemory() / (1024 * 1024));
    conditions.put("pipeline_config", resultFile.config.isBlank() ? jobArgs : resultFile.config);
    result.put("readings", readings);
    result.put("messages", source.messages());
    result.put("seconds", E2eBench.round(seconds));
    result.put("readings_per_second", Math.round(readings / seconds));
    ObjectNode written = result.putObject("written");
    written.put("readings_in_buckets", stored);
    written.put("bucket_writes", CountingSink.elements(CountingSink.MEASUREMENTS));
    written.put("features", CountingSink.count(CountingSink.FEATURES));
    written.put("coaching_events", CountingSink.count(CountingSink.COACHING));
    written.put("quarantined", CountingSink.count(CountingSink.QUARANTINE));
    written.put("completeness", CountingSink.count(CountingSink.COMPLETENESS));
    result.put("loss", readings - stored);
    resultFile.write(result, PipelineBench::appendRow);
    console.printf(
        "%npipeline: %,d readings in %.1f s: %,.0f readings/s; %,d features, %,d coaching events,"
            + " %,d quarantined; loss %,d%nresult: %s%n",
        readings,
        seconds,
        readings / seconds,
        CountingSink.count(CountingSink.FEATURES),
        CountingSink.count(CountingSink.COACHING),
        CountingSink.count(CountingSink.QUARANTINE),
        readings - stored,
        resultFile.out);
    return readings == stored ? Cli.OK : Cli.FAILED;
  }

  /**
   * The job's options from {@code --job-args} text. The benchmarks' jobs open no broker and ask no
   * identity provider, so those two secrets are not needed (unless given, they are placeholders).
   */
  static SensorPipelineOptions jobOptions(String args) {
    Map<String, String> environment = new HashMap<>(System.getenv());
    environment.putIfAbsent("SAAM_RABBITMQ_PIPELINE_PASSWORD", "not-used-by-the-benchmark");
    environment.putIfAbsent("SAAM_PIPELINE_CLIENT_SECRET", "not-used-by-the-benchmark");
    return SensorPipelineOptions.fromArgs(
        args.isBlank() ? new String[0] : args.trim().split("\\s+"), environment);
  }

  private static Thread progressLine(PrintWriter console, long readings) {
    Thread progress =
        new Thread(
            () -> {
              try {
                while (true) {
                  Thread.sleep(1_000);
                  long start = PrebuiltMessages.firstEmitNanos();
                  if (start == 0) {
                    continue;
                  }
                  double elapsed = (System.nanoTime() - start) / 1e9;
                  long emitted = PrebuiltMessages.emittedReadings();
                  console.printf(
                      "\r  %4.0f s  source %,d of %,d readings (%,.0f/s), written %,d   ",
                      elapsed,
                      emitted,
                      readings,
                      emitted / elapsed,
                      CountingSink.count(CountingSink.MEASUREMENTS));
                  console.flush();
                }
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "pipeline-progress");
    progress.setDaemon(true);
    progress.start();
    return progress;
  }

  /** Appends one row to the pipeline table of a RESULTS.md (its header is written once). */
  static void appendRow(Path markdown, ObjectNode result) throws IOException {
    String marker = "<!-- pipeline runs appended by ./saam bench pipeline -->\n";
    StringBuilder add = new StringBuilder();
    ObjectNode conditions = (ObjectNode) result.get("conditions");
    add.append(
        String.format(
            Locale.ROOT,
            "| %s | %d | %s | %d | %d | %d | %d | %s |%n",
            result.get("date").asText(),
            result.get("readings").asLong(),
            result.get("seconds").asText(),
            result.get("readings_per_second").asLong(),
            conditions.get("parallelism").asInt(),
            result.get("written").get("features").asLong(),
            result.get("loss").asLong(),
            conditions.get("pipeline_config").asText().replace("|", "\\|")));
    ResultFile.addToSection(
        markdown,
        "Pipeline runs",
        marker,
        "| date | readings | seconds | readings/s | parallelism | features | loss | pipeline"
            + " config |\n|---|---|---|---|---|---|---|---|\n",
        add.toString());
  }
}
