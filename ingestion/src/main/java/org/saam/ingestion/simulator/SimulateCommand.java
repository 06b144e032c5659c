package org.saam.ingestion.simulator;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.saam.ingestion.gateway.MqttSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code saam-ingestion simulate}: runs a {@link Simulation} and publishes it over MQTT (or writes
 * it to a file), with a progress line, and writes the ground truth.
 */
@Command(
    name = "simulate",
    mixinStandardHelpOptions = true,
    description = {
      "Simulate homes and publish their gateways' batches over MQTT (QoS 1), with a progress"
          + " line; writes the ground truth of what it sent.",
      "Without --user it signs in as SAAM_MQTT_USER/SAAM_MQTT_PASSWORD (./saam sets them to the"
          + " local simulator account: the broker refuses anonymous clients)."
    })
public final class SimulateCommand implements Callable<Integer> {
  private static final SimulationSettings DEFAULTS = SimulationSettings.defaults();

  @Option(names = "--homes", description = "how many homes (default: 3)")
  Integer homes;

  @Option(names = "--days", description = "how many days (default: 7)")
  Integer days;

  @Option(names = "--start", description = "first simulated local date (default: 2026-11-09)")
  LocalDate start;

  @Option(names = "--seed", description = "random seed; the same seed, the same data (default: 42)")
  Long seed;

  @Option(
      names = "--location-prefix",
      description = "location ids are <prefix>0001... (default: loc-)")
  String locationPrefix;

  @Option(
      names = "--speed",
      defaultValue = "max",
      description = "max, or N simulated seconds per second (default: ${DEFAULT-VALUE})")
  String speed;

  @Option(names = "--rate", description = "a fixed rate in readings/s instead of --speed")
  Double rate;

  @Option(names = "--batch-size", description = "readings per batch at most (default: 500)")
  Integer batchSize;

  @Option(
      names = "--flush-minutes",
      description = "a gateway sends at least this often (default: 5)")
  Integer flushMinutes;

  @Option(
      names = "--buffer",
      defaultValue = "1000",
      description = "batches kept while the broker is away (default: ${DEFAULT-VALUE})")
  int buffer;

  @Option(
      names = "--give-up-after",
      defaultValue = "600",
      description = "seconds without the broker before giving up (default: ${DEFAULT-VALUE})")
  long giveUpAfterSeconds;

  @Option(
      names = "--faults",
      defaultValue = "none",
      description =
          "none, all, or a list of out-of-order,duplicates,malformed-json,unknown-source,"
              + "out-of-range,wrong-location,oversize-batch (default: ${DEFAULT-VALUE})")
  String faults;

  @Option(names = "--fault-rate", description = "share of batches with a fault (default: 0.02)")
  Double faultRate;

  @Option(
      names = "--plant-short-nights",
      defaultValue = "",
      description = "dates like 2026-11-03,2026-11-04: their nights are short, about 4 h in bed")
  String plantShortNights;

  @Option(
      names = "--mqtt",
      description = "broker (default: tcp://127.0.0.1:1883, with --tls ssl://127.0.0.1:8883)")
  String mqtt;

  @Option(names = "--tls", arity = "0..1", description = "MQTT over TLS")
  boolean tls;

  @Option(names = "--ca", description = "the CA certificate that signed the broker's")
  Path ca;

  @Option(names = "--user", description = "a gateway's broker user")
  String user;

  @Option(names = "--password", description = "its password (default: env SAAM_GATEWAY_PASSWORD)")
  String password;

  @Option(
      names = "--truth",
      defaultValue = "simulation-truth.json",
      description = "where the ground truth goes (default: ${DEFAULT-VALUE})")
  Path truth;

  @Option(
      names = "--send-from",
      description =
          "send only the batches sent at or after this instant (ISO-8601); with --send-until, a"
              + " part of the simulation: parts cut at the same instants send every batch once")
  Instant sendFrom;

  @Option(
      names = "--send-until",
      description = "send only the batches sent before this instant (ISO-8601)")
  Instant sendUntil;

  @Option(names = "--dry-run", description = "write the payloads to this file, one a line, instead")
  Path dryRun;

  @Override
  public Integer call() throws Exception {
    PrintStream out = System.out; // the progress line rewrites itself with \r on a terminal
    SimulationSettings settings = settings();
    Simulation simulation = new Simulation(settings);
    if (sendFrom != null || sendUntil != null) {
      simulation.onlySentBetween(
          sendFrom == null ? Instant.MIN : sendFrom, sendUntil == null ? Instant.MAX : sendUntil);
    }
    Simulation.Pacer pacer = pacer(simulation);
    long started = System.nanoTime();

    if (dryRun != null) {
      try (OutputStream stream = new BufferedOutputStream(Files.newOutputStream(dryRun))) {
        simulation.run(
            message -> {
              try {
                stream.write(message.payload());
                stream.write('\n');
              } catch (IOException e) {
                throw new IllegalStateException(
                    "cannot write " + dryRun + ": " + e.getMessage(), e);
              }
            },
            pacer);
      }
      out.printf("wrote %d messages to %s%n", simulation.messages(), dryRun);
    } else {
      MqttSettings mqttSettings = mqttSettings();
      out.printf(
          "simulating %d homes for %d days from %s (seed %d), publishing to %s%n",
          settings.homes(),
          settings.days(),
          settings.startDate(),
          settings.seed(),
          mqttSettings.brokerUri());
      ReliablePublisher publisher =
          new ReliablePublisher(mqttSettings, buffer, Duration.ofSeconds(giveUpAfterSeconds));
      publisher.start();
      Progress progress = new Progress(simulation, publisher, out, started);
      Thread reporter = new Thread(progress, "simulator-progress");
      reporter.setDaemon(true);
      reporter.start();
      try {
        simulation.run(publisher, pacer);
      } finally {
        publisher.close();
        progress.stop();
        reporter.join();
      }
    }
    simulation.writeReport(truth);
    double seconds = (System.nanoTime() - started) / 1e9;
    out.printf(
        "done: %,d readings in %,d batches (%,d messages with repeats and faults) in %.1f s,"
            + " %,.0f readings/s%n",
        simulation.readings(),
        simulation.batches(),
        simulation.messages(),
        seconds,
        simulation.readings() / Math.max(seconds, 0.001));
    out.println("ground truth: " + truth.toAbsolutePath());
    out.println("published_readings=" + simulation.readings());
    return 0;
  }

  SimulationSettings settings() {
    if (buffer < 1 || giveUpAfterSeconds < 1) {
      throw new IllegalArgumentException("--buffer and --give-up-after must be at least 1");
    }
    return new SimulationSettings(
        locationPrefix == null ? DEFAULTS.locationPrefix() : locationPrefix,
        homes == null ? DEFAULTS.homes() : homes,
        start == null ? DEFAULTS.startDate() : start,
        days == null ? DEFAULTS.days() : days,
        seed == null ? DEFAULTS.seed() : seed,
        batchSize == null ? DEFAULTS.batchSize() : batchSize,
        flushMinutes == null ? DEFAULTS.flushMinutes() : flushMinutes,
        FaultKind.parseList(faults),
        faultRate == null ? DEFAULTS.faultRate() : faultRate,
        shortNights(plantShortNights));
  }

  /** {@code 2026-11-03,2026-11-04}: local dates whose nights are planted short. */
  static Set<LocalDate> shortNights(String list) {
    Set<LocalDate> dates = new java.util.TreeSet<>();
    for (String item : list.split(",")) {
      if (item.isBlank()) {
        continue;
      }
      try {
        dates.add(LocalDate.parse(item.strip()));
      } catch (java.time.format.DateTimeParseException e) {
        throw new IllegalArgumentException(
            "--plant-short-nights takes dates like 2026-11-03,2026-11-04; '"
                + item
                + "' is not one",
            e);
      }
    }
    return dates;
  }

  MqttSettings mqttSettings() {
    String uri = mqtt != null ? mqtt : tls ? "ssl://127.0.0.1:8883" : "tcp://127.0.0.1:1883";
    MqttSettings settings = MqttSettings.anonymous(uri, "saam-simulator-" + UUID.randomUUID());
    if (user != null) {
      String secret =
          password != null ? password : System.getenv().getOrDefault("SAAM_GATEWAY_PASSWORD", "");
      settings = settings.withCredentials(user, secret.toCharArray());
    } else if (System.getenv("SAAM_MQTT_USER") != null) {
      settings =
          settings.withCredentials(
              System.getenv("SAAM_MQTT_USER"),
              System.getenv().getOrDefault("SAAM_MQTT_PASSWORD", "").toCharArray());
    }
    if (ca != null) {
      if (!Files.isReadable(ca)) {
        throw new IllegalArgumentException("--ca " + ca + " is not a readable file");
      }
      settings = settings.withTrustedCa(ca);
    }
    return settings;
  }

  Simulation.Pacer pacer(Simulation simulation) {
    if (rate != null) {
      double perSecond = rate;
      if (perSecond <= 0) {
        throw new IllegalArgumentException("--rate must be positive, was " + perSecond);
      }
      long begin = System.nanoTime();
      return (minute, readings) -> sleepUntil(begin + (long) (readings / perSecond * 1e9));
    }
    if (speed.equals("max")) {
      return Simulation.Pacer.FULL_SPEED;
    }
    double factor;
    try {
      factor = Double.parseDouble(speed);
    } catch (NumberFormatException e) {
      factor = -1;
    }
    if (factor <= 0) {
      throw new IllegalArgumentException("--speed must be 'max' or positive, was " + speed);
    }
    double simulatedPerSecond = factor;
    long begin = System.nanoTime();
    Instant simulatedStart = simulation.start();
    return (minute, readings) ->
        sleepUntil(
            begin
                + (long)
                    ((minute.getEpochSecond() - simulatedStart.getEpochSecond())
                        / simulatedPerSecond
                        * 1e9));
  }

  private static void sleepUntil(long nanoTime) throws InterruptedException {
    long wait = nanoTime - System.nanoTime();
    if (wait > 0) {
      TimeUnit.NANOSECONDS.sleep(wait);
    }
  }

  /** The progress line: a bar on a terminal, a line every 10 seconds otherwise. */
  private static final class Progress implements Runnable {
    private final Simulation simulation;
    private final ReliablePublisher publisher;
    private final PrintStream out;
    private final long started;
    private final boolean terminal = System.console() != null;
    private volatile boolean running = true;

    Progress(Simulation simulation, ReliablePublisher publisher, PrintStream out, long started) {
      this.simulation = simulation;
      this.publisher = publisher;
      this.out = out;
      this.started = started;
    }

    void stop() {
      running = false;
    }

    @Override
    public void run() {
      try {
        long interval = terminal ? 500 : 10_000;
        long next = System.currentTimeMillis() + interval;
        while (running) {
          Thread.sleep(100);
          if (System.currentTimeMillis() >= next) {
            print();
            next += interval;
          }
        }
        print();
        if (terminal) {
          out.println();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    private void print() {
      double done = simulation.progress();
      int filled = (int) Math.round(done * 24);
      double seconds = Math.max((System.nanoTime() - started) / 1e9, 0.001);
      String line =
          String.format(
              "[%s%s] %3.0f%%  simulated %s  %,d readings  %,d/%,d messages sent  %,.0f readings/s"
                  + "  buffer %d  reconnects %d%s",
              "#".repeat(filled),
              "-".repeat(24 - filled),
              done * 100,
              simulation.currentMinute().toString().substring(0, 16),
              simulation.readings(),
              publisher.published(),
              simulation.messages(),
              simulation.readings() / seconds,
              publisher.buffered(),
              publisher.reconnects(),
              publisher.retrying() ? "  (broker unreachable, retrying)" : "");
      out.print(terminal ? "\r" + line : line + System.lineSeparator());
      out.flush();
    }
  }
}
