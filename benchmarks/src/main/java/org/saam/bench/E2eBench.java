package org.saam.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Projections;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.bson.Document;
import org.saam.common.cli.Cli;
import org.saam.common.store.MeasurementBuckets;
import org.saam.ingestion.gateway.MqttSettings;
import org.saam.ingestion.simulator.ReliablePublisher;
import org.saam.ingestion.simulator.Simulation;
import org.saam.ingestion.simulator.SimulationSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code e2e}: simulated gateways publish at a fixed rate for a fixed time over MQTT into the
 * running local stack; the benchmark reports the readings stored per second, publish-to-stored
 * latency percentiles ({@link LatencyProbes}), the CPU and memory of each component, and loss
 * (readings published minus readings stored, which must be 0).
 */
@Command(
    name = "e2e",
    mixinStandardHelpOptions = true,
    description =
        "Publish simulated readings at a fixed rate for a fixed time into the running pipeline;"
            + " report stored readings/s, publish-to-stored latency, CPU and memory per component"
            + " and loss.")
public final class E2eBench implements Callable<Integer> {
  /** Readings of one simulated home-day, roughly (for sizing the simulation). */
  static final long READINGS_PER_HOME_DAY = 15_000;

  private static final ObjectMapper JSON = ResultFile.JSON;

  @Option(names = "--rate", defaultValue = "10000", description = "readings/s offered")
  double rate;

  @Option(names = "--duration", defaultValue = "60", description = "seconds of publishing")
  long durationSeconds;

  @Option(
      names = "--drain-timeout",
      defaultValue = "300",
      description = "seconds to wait for the backlog after publishing (default: ${DEFAULT-VALUE})")
  long drainTimeoutSeconds;

  @Option(
      names = "--probe-interval-ms",
      defaultValue = "100",
      description = "at most one latency probe per this many ms (default: ${DEFAULT-VALUE})")
  long probeIntervalMillis;

  @Option(
      names = "--warmup",
      defaultValue = "0",
      description =
          "seconds at the start whose messages are not probes: the job's start (a job submitted"
              + " for the run) stays out of the latency figures (default: ${DEFAULT-VALUE})")
  long warmupSeconds;

  @Option(names = "--mqtt", defaultValue = "tcp://127.0.0.1:1883", description = "the broker")
  String mqtt;

  @Option(
      names = "--residents",
      defaultValue = "0",
      description =
          "homes that get a resident through the user service (the first N; all with a number"
              + " over the homes), so features and coaching run too (default: ${DEFAULT-VALUE})")
  int residents;

  @Option(
      names = "--user-service",
      defaultValue = "http://127.0.0.1:8090/",
      description = "the user service, for --residents (default: ${DEFAULT-VALUE})")
  java.net.URI userService;

  @Option(
      names = "--process",
      description = "a component to measure, as name=pid (repeatable)",
      mapFallbackValue = "")
  Map<String, Long> processes = new LinkedHashMap<>();

  @Mixin MongoTarget mongoTarget;

  @Mixin ResultFile resultFile;

  @Spec CommandSpec spec;

  /** Thrown by the pacer when the publishing time is over. */
  private static final class TimeIsUp extends RuntimeException {
    private static final long serialVersionUID = 1L;

    TimeIsUp() {
      super(null, null, false, false);
    }
  }

  @Override
  public Integer call() throws Exception {
    if (warmupSeconds < 0 || warmupSeconds >= durationSeconds) {
      throw new IllegalArgumentException("--warmup must be at least 0 and shorter than --duration");
    }
    if (rate <= 0 || durationSeconds < 1 || probeIntervalMillis < 1 || drainTimeoutSeconds < 1) {
      throw new IllegalArgumentException(
          "--rate must be positive and --duration, --probe-interval-ms, --drain-timeout at least 1");
    }
    PrintWriter console = spec.commandLine().getOut();
    String prefix = "bench" + UUID.randomUUID().toString().substring(0, 8) + "-";
    long needed = (long) Math.ceil(rate * durationSeconds * 1.2);
    int days = 7;
    int homes = (int) Math.max(1, Math.ceil(needed / (double) (READINGS_PER_HOME_DAY * days)));
    SimulationSettings settings =
        SimulationSettings.defaults()
            .withLocationPrefix(prefix)
            .withHomes(homes)
            .withDays(days)
            .withStartDate(LocalDate.of(2026, 10, 1));
    Simulation simulation = new Simulation(settings);
    if (residents < 0) {
      throw new IllegalArgumentException("--residents must not be negative");
    }
    int resident = Math.min(residents, homes);
    Map<String, String> people = Map.of();
    if (resident > 0) {
      console.printf("e2e: giving %d of %d homes a resident (user service)%n", resident, homes);
      people =
          new Residents(userService, System.getenv("SAAM_BENCH_ADMIN_TOKEN"))
              .assign(settings, resident);
    }

    try (MongoClient mongo = MongoClients.create(mongoTarget.uri)) {
      MongoCollection<Document> measurements =
          mongo.getDatabase(mongoTarget.database).getCollection(MeasurementBuckets.COLLECTION);
      Map<String, Long> measured = new LinkedHashMap<>(processes);
      measured.put("bench-load", ProcessHandle.current().pid()); // the simulator and the probes
      ProcessSampler sampler = new ProcessSampler(measured);
      ReliablePublisher publisher =
          new ReliablePublisher(mqttSettings(), 10_000, Duration.ofSeconds(60));
      publisher.start();
      LatencyProbes probes = new LatencyProbes(measurements, probeIntervalMillis, 25, people);
      console.printf(
          "e2e: %,.0f readings/s for %d s from %d simulated homes (%s*), to %s%n",
          rate, durationSeconds, homes, prefix, mqtt);
      sampler.start();
      java.util.concurrent.atomic.AtomicInteger clientBacklog =
          new java.util.concurrent.atomic.AtomicInteger();
      long begin = System.nanoTime();
      long end = begin + TimeUnit.SECONDS.toNanos(durationSeconds);
      long probesFrom = begin + TimeUnit.SECONDS.toNanos(warmupSeconds);
      Thread progress =
          new Thread(
              () -> {
                try {
                  while (true) {
                    Thread.sleep(1_000);
                    sampler.sample();
                    clientBacklog.accumulateAndGet(publisher.buffered(), Math::max);
                    double elapsed = (System.nanoTime() - begin) / 1e9;
                    Percentiles sofar = probes.percentiles();
                    console.printf(
                        "\r  %4.0f s  published %,d (%,.0f/s), %,d messages in the client's buffer"
                            + "  probes %d, waiting %d, p99 %.0f ms   ",
                        elapsed,
                        simulation.readings(),
                        simulation.readings() / elapsed,
                        publisher.buffered(),
                        sofar.count(),
                        probes.pending(),
                        sofar.p99());
                  }
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              },
              "e2e-progress");
      progress.setDaemon(true);
      progress.start();
      try {
        simulation.run(
            message -> {
              if (System.nanoTime() >= probesFrom) {
                probes.beforePublish(message);
              }
              publisher.accept(message);
            },
            (minute, readings) -> {
              long now = System.nanoTime();
              if (now >= end) {
                throw new TimeIsUp();
              }
              long due = begin + (long) (readings / rate * 1e9);
              if (due > now) {
                TimeUnit.NANOSECONDS.sleep(Math.min(due, end) - now);
              }
            });
      } catch (TimeIsUp expected) {
        // the publishing time is over; what was generated is published
      }
      publisher.close();
      long publishedAt = System.nanoTime();
      progress.interrupt();
      double publishSeconds = (publishedAt - begin) / 1e9;
      long published = simulation.readings();

      // The backlog drains: wait for every reading in MongoDB (or the timeout).
      long stored = 0;
      long drainDeadline = publishedAt + TimeUnit.SECONDS.toNanos(drainTimeoutSeconds);
      long allStoredAt = -1;
      long lastGrowth = System.nanoTime();
      long previous = -1;
      String stalled = null;
      while (System.nanoTime() < drainDeadline) {
        stored = storedSamples(measurements, prefix);
        if (stored >= published) {
          allStoredAt = System.nanoTime();
          break;
        }
        if (stored > previous) {
          previous = stored;
          lastGrowth = System.nanoTime();
        } else if (System.nanoTime() - lastGrowth > TimeUnit.SECONDS.toNanos(60)) {
          stalled =
              "nothing more was stored for 60 s ("
                  + stored
                  + " of "
                  + published
                  + "): is the pipeline running? (./saam jobs list, ./saam logs flink)";
          break;
        }
        sampler.sample();
        console.printf(
            "\r  draining: stored %,d of %,d, probes waiting %d                      ",
            stored, published, probes.pending());
        Thread.sleep(1_000);
      }
      Map<String, ProcessSampler.Usage> usage = sampler.stop();
      probes.awaitAll(10_000);
      probes.close();
      console.println();
      if (stalled != null) {
        console.println("e2e: " + stalled);
      }

      Percentiles latency = probes.percentiles();
      double storedSeconds = allStoredAt < 0 ? Double.NaN : (allStoredAt - begin) / 1e9;
      ObjectNode result = JSON.createObjectNode();
      result.put("bench", "e2e");
      result.put("date", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
      ObjectNode machine = result.putObject("machine");
      machine.put("cores", Runtime.getRuntime().availableProcessors());
      machine.put("memory_gb", totalMemoryGb());
      machine.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
      machine.put("java", System.getProperty("java.version"));
      ObjectNode conditions = result.putObject("conditions");
      conditions.put("rate_offered", rate);
      conditions.put("duration_s", durationSeconds);
      conditions.put("warmup_s", warmupSeconds);
      conditions.put("homes", homes);
      conditions.put("resident_homes", resident);
      conditions.put("pipeline_config", resultFile.config);
      result.put("published", published);
      // Messages waiting in the load generator's MQTT client (QoS 1, 50 in flight): when this
      // grows, the latency figures include time spent before the broker.
      result.put("client_backlog_max_messages", clientBacklog.get());
      result.put("stored", stored);
      result.put("loss", published - stored);
      if (stalled != null) {
        result.put("stalled", stalled);
      }
      result.put("publish_rate", round(published / publishSeconds));
      result.put(
          "stored_rate", Double.isNaN(storedSeconds) ? null : round(published / storedSeconds));
      result.put("drain_s", allStoredAt < 0 ? null : round((allStoredAt - publishedAt) / 1e9));
      ObjectNode lat = result.putObject("latency_ms");
      lat.put("probes", latency.count());
      lat.put("p50", round(latency.p50()));
      lat.put("p95", round(latency.p95()));
      lat.put("p99", round(latency.p99()));
      lat.put("max", round(latency.max()));
      ObjectNode components = result.putObject("components");
      usage.forEach(
          (name, u) -> {
            ObjectNode c = components.putObject(name);
            c.put("cpu_cores", round(u.cpuCores()));
            c.put("rss_mb_max", round(u.maxRssMb()));
          });
      resultFile.write(result, E2eBench::appendRow);
      console.printf(
          "e2e: published %,d at %,.0f/s; stored %,d%s; latency p50 %.0f ms, p95 %.0f ms,"
              + " p99 %.0f ms, max %.0f ms (%d probes); loss %,d%nresult: %s%n",
          published,
          published / publishSeconds,
          stored,
          Double.isNaN(storedSeconds)
              ? " (not all within " + drainTimeoutSeconds + " s)"
              : String.format(Locale.ROOT, ", %,.0f/s end to end", published / storedSeconds),
          latency.p50(),
          latency.p95(),
          latency.p99(),
          latency.max(),
          latency.count(),
          published - stored,
          resultFile.out);
      return published == stored ? Cli.OK : Cli.FAILED;
    }
  }

  /**
   * Samples stored for the benchmark's homes, read home by home: one reply for all of them can pass
   * the wire protocol's 48 MB message limit (a 300 s run at 10,000 readings/s did).
   */
  static long storedSamples(MongoCollection<Document> measurements, String prefix) {
    long count = 0;
    for (String location :
        measurements.distinct(
            MeasurementBuckets.LOCATION_ID,
            Filters.regex(MeasurementBuckets.LOCATION_ID, "^" + Pattern.quote(prefix)),
            String.class)) {
      for (Document bucket :
          measurements
              .find(Filters.eq(MeasurementBuckets.LOCATION_ID, location))
              .projection(Projections.include(MeasurementBuckets.SAMPLES))
              .batchSize(500)) {
        Document samples = bucket.get(MeasurementBuckets.SAMPLES, Document.class);
        count += samples == null ? 0 : samples.size();
      }
    }
    return count;
  }

  private MqttSettings mqttSettings() {
    MqttSettings settings = MqttSettings.anonymous(mqtt, "saam-bench-" + UUID.randomUUID());
    String user = System.getenv("SAAM_MQTT_USER");
    if (user == null) {
      throw new IllegalArgumentException(
          "SAAM_MQTT_USER and SAAM_MQTT_PASSWORD must name a broker account (./saam bench sets"
              + " them to the local simulator account)");
    }
    return settings.withCredentials(
        user, System.getenv().getOrDefault("SAAM_MQTT_PASSWORD", "").toCharArray());
  }

  static Double round(double value) {
    return Double.isNaN(value) ? null : Math.round(value * 10) / 10.0;
  }

  private static double totalMemoryGb() {
    if (ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.OperatingSystemMXBean os) {
      return Math.round(os.getTotalMemorySize() / 1e8) / 10.0;
    }
    return Double.NaN;
  }

  /** Appends one row to the runs table of a RESULTS.md (the table's header is written once). */
  static void appendRow(Path markdown, ObjectNode result) throws IOException {
    String header =
        "| date | bench | offered/s | published/s | stored/s | p50 ms | p95 ms | p99 ms | max ms"
            + " | loss | pipeline config |\n"
            + "|---|---|---|---|---|---|---|---|---|---|---|\n";
    String marker = "<!-- runs appended by ./saam bench -->\n";
    StringBuilder add = new StringBuilder();
    add.append(
        String.format(
            Locale.ROOT,
            "| %s | %s | %.0f | %s | %s | %s | %s | %s | %s | %d | %s |%n",
            result.get("date").asText(),
            result.get("bench").asText(),
            result.get("conditions").get("rate_offered").asDouble(),
            result.get("publish_rate").asText(),
            result.get("stored_rate").asText(),
            result.get("latency_ms").get("p50").asText(),
            result.get("latency_ms").get("p95").asText(),
            result.get("latency_ms").get("p99").asText(),
            result.get("latency_ms").get("max").asText(),
            result.get("loss").asLong(),
            result.get("conditions").get("pipeline_config").asText().replace("|", "\\|")));
    ResultFile.addToSection(markdown, "Runs", marker, header, add.toString());
  }
}
