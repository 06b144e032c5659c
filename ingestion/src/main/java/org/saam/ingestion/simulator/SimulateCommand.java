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
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.saam.ingestion.gateway.MqttSettings;

/**
 * {@code saam-ingestion simulate}: runs a {@link Simulation} and publishes it over MQTT (or writes
 * it to a file), with a progress line, and writes the ground truth.
 */
public final class SimulateCommand {
  public static final String USAGE =
      """
        simulate      simulate homes and publish their gateways' batches over MQTT (QoS 1)
                      --homes 3  --days 7  --start 2026-11-09  --seed 42  --location-prefix loc-
                      --speed max|N (N simulated seconds per second)  --rate N (readings/s, fixed)
                      --batch-size 500  --flush-minutes 5  --buffer 1000  --give-up-after 600 (s)
                      --faults none|all|out-of-order,duplicates,malformed-json,unknown-source,
                               out-of-range,wrong-location,oversize-batch  --fault-rate 0.02
                      --plant-short-nights 2026-11-03,2026-11-04,2026-11-05
                               (nights starting on these dates are short, about 4 h in bed)
                      --mqtt tcp://127.0.0.1:1883  --tls (ssl://127.0.0.1:8883)  --ca FILE
                      --user U  --password P (or env SAAM_GATEWAY_PASSWORD); without --user,
                               SAAM_MQTT_USER and SAAM_MQTT_PASSWORD (./saam sets them to the
                               local simulator account: the broker refuses anonymous clients)
                      --truth simulation-truth.json  --dry-run FILE (write payloads, one a line)
      """;

  private SimulateCommand() {}

  /** Runs the command; returns the exit code. */
  public static int run(Map<String, String> options, PrintStream out) throws Exception {
    SimulationSettings settings = settings(options);
    Simulation simulation = new Simulation(settings);
    Simulation.Pacer pacer = pacer(options, simulation);
    Path truth = Path.of(options.getOrDefault("truth", "simulation-truth.json"));
    long started = System.nanoTime();

    if (options.containsKey("dry-run")) {
      Path file = Path.of(options.get("dry-run"));
      try (OutputStream stream = new BufferedOutputStream(Files.newOutputStream(file))) {
        simulation.run(
            message -> {
              try {
                stream.write(message.payload());
                stream.write('\n');
              } catch (IOException e) {
                throw new IllegalStateException("cannot write " + file + ": " + e.getMessage(), e);
              }
            },
            pacer);
      }
      out.printf("wrote %d messages to %s%n", simulation.messages(), file);
    } else {
      MqttSettings mqtt = mqttSettings(options);
      out.printf(
          "simulating %d homes for %d days from %s (seed %d), publishing to %s%n",
          settings.homes(),
          settings.days(),
          settings.startDate(),
          settings.seed(),
          mqtt.brokerUri());
      ReliablePublisher publisher =
          new ReliablePublisher(
              mqtt,
              Integer.parseInt(options.getOrDefault("buffer", "1000")),
              Duration.ofSeconds(Long.parseLong(options.getOrDefault("give-up-after", "600"))));
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

  static SimulationSettings settings(Map<String, String> options) {
    SimulationSettings defaults = SimulationSettings.defaults();
    return new SimulationSettings(
        options.getOrDefault("location-prefix", defaults.locationPrefix()),
        Integer.parseInt(options.getOrDefault("homes", String.valueOf(defaults.homes()))),
        LocalDate.parse(options.getOrDefault("start", defaults.startDate().toString())),
        Integer.parseInt(options.getOrDefault("days", String.valueOf(defaults.days()))),
        Long.parseLong(options.getOrDefault("seed", String.valueOf(defaults.seed()))),
        Integer.parseInt(options.getOrDefault("batch-size", String.valueOf(defaults.batchSize()))),
        Integer.parseInt(
            options.getOrDefault("flush-minutes", String.valueOf(defaults.flushMinutes()))),
        FaultKind.parseList(options.getOrDefault("faults", "none")),
        Double.parseDouble(
            options.getOrDefault("fault-rate", String.valueOf(defaults.faultRate()))),
        shortNights(options.getOrDefault("plant-short-nights", "")));
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

  static MqttSettings mqttSettings(Map<String, String> options) {
    boolean tls = options.containsKey("tls") && !options.get("tls").equals("false");
    String uri =
        options.getOrDefault("mqtt", tls ? "ssl://127.0.0.1:8883" : "tcp://127.0.0.1:1883");
    MqttSettings settings = MqttSettings.anonymous(uri, "saam-simulator-" + UUID.randomUUID());
    if (options.containsKey("user")) {
      String password =
          options.getOrDefault(
              "password", System.getenv().getOrDefault("SAAM_GATEWAY_PASSWORD", ""));
      settings = settings.withCredentials(options.get("user"), password.toCharArray());
    } else if (System.getenv("SAAM_MQTT_USER") != null) {
      settings =
          settings.withCredentials(
              System.getenv("SAAM_MQTT_USER"),
              System.getenv().getOrDefault("SAAM_MQTT_PASSWORD", "").toCharArray());
    }
    if (options.containsKey("ca")) {
      Path ca = Path.of(options.get("ca"));
      if (!Files.isReadable(ca)) {
        throw new IllegalArgumentException("--ca " + ca + " is not a readable file");
      }
      settings = settings.withTrustedCa(ca);
    }
    return settings;
  }

  static Simulation.Pacer pacer(Map<String, String> options, Simulation simulation) {
    String speed = options.getOrDefault("speed", "max");
    if (options.containsKey("rate")) {
      double rate = Double.parseDouble(options.get("rate"));
      if (rate <= 0) {
        throw new IllegalArgumentException("--rate must be positive, was " + rate);
      }
      long begin = System.nanoTime();
      return (minute, readings) -> sleepUntil(begin + (long) (readings / rate * 1e9));
    }
    if (speed.equals("max")) {
      return Simulation.Pacer.FULL_SPEED;
    }
    double factor = Double.parseDouble(speed);
    if (factor <= 0) {
      throw new IllegalArgumentException("--speed must be 'max' or positive, was " + speed);
    }
    long begin = System.nanoTime();
    Instant simulatedStart = simulation.start();
    return (minute, readings) ->
        sleepUntil(
            begin
                + (long)
                    ((minute.getEpochSecond() - simulatedStart.getEpochSecond()) / factor * 1e9));
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
