package org.saam.ingestion;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.saam.common.records.ReadingBatch;
import org.saam.ingestion.gateway.DemoHomes;
import org.saam.ingestion.gateway.GatewayPublisher;
import org.saam.ingestion.topology.BrokerTopology;
import org.saam.ingestion.topology.ReadingsQueue;

/**
 * Command line of the ingestion module, called by {@code ./saam}.
 *
 * <pre>
 * topology   [--amqp-host H] [--amqp-port P] [--user U] [--password W] [--queue Q]
 * demo-publish [--mqtt URI] [--homes N] [--minutes M] [--seed S] [--start INSTANT]
 * </pre>
 *
 * Exits 0 on success, 1 when the broker refuses or is unreachable, 2 on bad arguments.
 */
public final class IngestionCommand {
  private static final String USAGE =
      """
      usage: saam-ingestion <command> [options]
        topology      declare the readings queue, its dead-letter queue and the binding (idempotent)
                      --amqp-host 127.0.0.1  --amqp-port 5672  --user guest  --password guest
                      --queue saam.readings
        demo-publish  publish the demo homes over MQTT with QoS 1 and print progress
                      --mqtt tcp://127.0.0.1:1883  --homes 3  --minutes 120  --seed 42
                      --start 2026-11-21T23:00:00Z
      """;

  private IngestionCommand() {}

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  static int run(String[] args, PrintStream out, PrintStream err) {
    if (args.length == 0 || args[0].equals("help") || args[0].equals("--help")) {
      out.print(USAGE);
      return args.length == 0 ? 2 : 0;
    }
    try {
      switch (args[0]) {
        case "topology" -> {
          Map<String, String> options =
              options(args, Set.of("amqp-host", "amqp-port", "user", "password", "queue"));
          installTopology(options, out);
        }
        case "demo-publish" -> {
          Map<String, String> options =
              options(args, Set.of("mqtt", "homes", "minutes", "seed", "start"));
          publishDemo(options, out);
        }
        default -> throw new IllegalArgumentException("unknown command '" + args[0] + "'");
      }
      return 0;
    } catch (IllegalArgumentException | DateTimeParseException e) {
      err.println("saam-ingestion: " + e.getMessage());
      err.print(USAGE);
      return 2;
    } catch (Exception e) {
      err.println("saam-ingestion: " + args[0] + " failed: " + e);
      return 1;
    }
  }

  private static void installTopology(Map<String, String> options, PrintStream out)
      throws Exception {
    ConnectionFactory factory = new ConnectionFactory();
    factory.setHost(options.getOrDefault("amqp-host", "127.0.0.1"));
    factory.setPort(Integer.parseInt(options.getOrDefault("amqp-port", "5672")));
    factory.setUsername(options.getOrDefault("user", "guest"));
    factory.setPassword(options.getOrDefault("password", "guest"));
    ReadingsQueue queue =
        new ReadingsQueue(
            options.getOrDefault("queue", ReadingsQueue.DEFAULT.queue()),
            ReadingsQueue.DEFAULT.bindingKey(),
            ReadingsQueue.DEFAULT.maxLength());
    try (Connection connection = factory.newConnection("saam-topology");
        Channel channel = connection.createChannel()) {
      BrokerTopology.install(channel, queue);
    }
    out.printf(
        "topology ready: quorum queue %s bound to %s with %s, dead letters to %s%n",
        queue.queue(), BrokerTopology.MQTT_EXCHANGE, queue.bindingKey(), queue.deadLetterQueue());
  }

  private static void publishDemo(Map<String, String> options, PrintStream out) throws Exception {
    int homes = Integer.parseInt(options.getOrDefault("homes", "3"));
    long minutes = Long.parseLong(options.getOrDefault("minutes", "120"));
    long seed = Long.parseLong(options.getOrDefault("seed", "42"));
    Instant start = Instant.parse(options.getOrDefault("start", "2026-11-21T23:00:00Z"));
    List<ReadingBatch> batches =
        new DemoHomes("loc-", homes, start, Duration.ofMinutes(minutes), seed).batches();
    long readings = 0;
    try (GatewayPublisher publisher =
        GatewayPublisher.connect(
            options.getOrDefault("mqtt", "tcp://127.0.0.1:1883"),
            "saam-demo-" + UUID.randomUUID(),
            null,
            null)) {
      for (int i = 0; i < batches.size(); i++) {
        ReadingBatch batch = batches.get(i);
        publisher.publish(batch);
        readings += batch.readings().size();
        out.printf(
            "\r  published %d/%d batches, %d readings from %d homes",
            i + 1, batches.size(), readings, homes);
      }
    }
    out.println();
    out.println("published_readings=" + readings);
  }

  private static Map<String, String> options(String[] args, Set<String> allowed) {
    Map<String, String> options = new HashMap<>();
    for (int i = 1; i < args.length; i += 2) {
      String key = args[i].startsWith("--") ? args[i].substring(2) : "";
      if (!allowed.contains(key)) {
        throw new IllegalArgumentException(
            "unknown option '" + args[i] + "' for " + args[0] + "; allowed: " + allowed);
      }
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException("option '" + args[i] + "' needs a value");
      }
      options.put(key, args[i + 1]);
    }
    return options;
  }
}
