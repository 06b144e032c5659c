package org.saam.ingestion;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import java.io.PrintStream;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import org.saam.common.broker.ManagementApi;
import org.saam.common.records.ReadingBatch;
import org.saam.ingestion.broker.BrokerAccounts;
import org.saam.ingestion.broker.BrokerTopology;
import org.saam.ingestion.broker.GatewayAccounts;
import org.saam.ingestion.broker.ReadingsQueue;
import org.saam.ingestion.gateway.DemoHomes;
import org.saam.ingestion.gateway.GatewayPublisher;
import org.saam.ingestion.quarantine.Quarantine;
import org.saam.ingestion.simulator.SimulateCommand;

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
        topology      declare the readings queue (delivery limit 5), its dead-letter queue and the
                      binding; create or update the pipeline's broker account (password from
                      SAAM_RABBITMQ_PIPELINE_PASSWORD) and, with SAAM_MQTT_PASSWORD set, the local
                      simulator's; tighten existing gateway accounts; delete 'guest' (idempotent)
                      --amqp-host 127.0.0.1  --amqp-port 5672  --queue saam.readings
                      --management-url http://127.0.0.1:15672
        gateway add <location_id>     create the gateway's broker account; prints its password once
        gateway remove <location_id>  revoke it: delete the account, close its connections
        gateway list                  location ids that have a gateway account
                      --management-url http://127.0.0.1:15672
      """
          + SimulateCommand.USAGE
          + """
        quarantine list    [--reason R] [--location L] [--limit 20]   refused input, by reason
        quarantine replay  [--reason R] [--location L]   publish it again and mark it replayed
                      Both first move the broker's dead letters (saam.readings.dead) into
                      quarantine, reason delivery_limit.
                      --mongo mongodb://127.0.0.1:27017  --database saam  (and the AMQP options)
      Broker commands log in as --user/--password, by default SAAM_RABBITMQ_USER (saam-admin) and
      SAAM_RABBITMQ_PASSWORD; ./saam sets both for the local stack.
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
              options(
                  args,
                  Set.of("amqp-host", "amqp-port", "user", "password", "queue", "management-url"));
          installTopology(options, out);
        }
        case "gateway" -> gateway(args, out);
        case "quarantine" -> quarantine(args, out);
        case "simulate" -> {
          Map<String, String> options =
              options(
                  flagsWithValues(args, Set.of("tls")),
                  Set.of(
                      "homes",
                      "days",
                      "start",
                      "seed",
                      "location-prefix",
                      "speed",
                      "rate",
                      "batch-size",
                      "flush-minutes",
                      "buffer",
                      "give-up-after",
                      "faults",
                      "fault-rate",
                      "plant-short-nights",
                      "mqtt",
                      "tls",
                      "ca",
                      "user",
                      "password",
                      "truth",
                      "dry-run"));
          return SimulateCommand.run(options, out);
        }
        case "demo-publish" -> {
          Map<String, String> options =
              options(args, Set.of("mqtt", "homes", "minutes", "seed", "start"));
          publishDemo(options, out);
        }
        default -> throw new IllegalArgumentException("unknown command '" + args[0] + "'");
      }
      return 0;
    } catch (IllegalStateException e) {
      err.println("saam-ingestion: " + e.getMessage());
      return 1;
    } catch (IllegalArgumentException | DateTimeParseException e) {
      err.println("saam-ingestion: " + e.getMessage());
      err.print(USAGE);
      return 2;
    } catch (Exception e) {
      err.println("saam-ingestion: " + args[0] + " failed: " + describe(e));
      return 1;
    }
  }

  private static void installTopology(Map<String, String> options, PrintStream out)
      throws Exception {
    ReadingsQueue queue =
        new ReadingsQueue(
            options.getOrDefault("queue", ReadingsQueue.DEFAULT.queue()),
            ReadingsQueue.DEFAULT.bindingKey(),
            ReadingsQueue.DEFAULT.maxLength());
    try (Connection connection = amqp(options).newConnection("saam-topology")) {
      BrokerTopology.install(connection, queue);
    }
    out.printf(
        "topology ready: quorum queue %s bound to %s with %s, delivery limit %d, dead letters to"
            + " %s%n",
        queue.queue(),
        BrokerTopology.MQTT_EXCHANGE,
        queue.bindingKey(),
        ReadingsQueue.DELIVERY_LIMIT,
        queue.deadLetterQueue());
    ManagementApi api = management(options);
    BrokerAccounts accounts = new BrokerAccounts(api, "/");
    String pipelinePassword = System.getenv("SAAM_RABBITMQ_PIPELINE_PASSWORD");
    if (pipelinePassword != null && !pipelinePassword.isEmpty()) {
      accounts.ensurePipeline(pipelinePassword);
      out.println("account " + BrokerAccounts.PIPELINE + " ready");
    }
    String simulatorPassword = System.getenv("SAAM_MQTT_PASSWORD");
    if (simulatorPassword != null
        && !simulatorPassword.isEmpty()
        && BrokerAccounts.SIMULATOR.equals(System.getenv("SAAM_MQTT_USER"))) {
      accounts.ensureSimulator(simulatorPassword);
      out.println("account " + BrokerAccounts.SIMULATOR + " ready (local stack)");
    }
    int gateways = new GatewayAccounts(api, "/").reapplyPermissions();
    out.println("permissions of " + gateways + " gateway accounts applied");
    if (accounts.removeGuest(login(options).user())) {
      out.println("default account 'guest' deleted");
    }
  }

  /** Who a broker command logs in as: options, else the environment; never a default password. */
  record Login(String user, String password) {}

  static Login login(Map<String, String> options) {
    String user =
        options.getOrDefault(
            "user", Objects.requireNonNullElse(System.getenv("SAAM_RABBITMQ_USER"), "saam-admin"));
    String password = options.getOrDefault("password", System.getenv("SAAM_RABBITMQ_PASSWORD"));
    if (password == null || password.isEmpty()) {
      throw new IllegalArgumentException(
          "no broker password: pass --password or set SAAM_RABBITMQ_PASSWORD (./saam sets it for"
              + " the local stack)");
    }
    return new Login(user, password);
  }

  private static ConnectionFactory amqp(Map<String, String> options) {
    Login login = login(options);
    ConnectionFactory factory = new ConnectionFactory();
    factory.setHost(options.getOrDefault("amqp-host", "127.0.0.1"));
    factory.setPort(Integer.parseInt(options.getOrDefault("amqp-port", "5672")));
    factory.setUsername(login.user());
    factory.setPassword(login.password());
    return factory;
  }

  private static ManagementApi management(Map<String, String> options) {
    Login login = login(options);
    return new ManagementApi(
        URI.create(options.getOrDefault("management-url", "http://127.0.0.1:15672")),
        login.user(),
        login.password());
  }

  private static void gateway(String[] args, PrintStream out) throws Exception {
    if (args.length < 2) {
      throw new IllegalArgumentException("gateway needs add, remove or list");
    }
    String action = args[1];
    boolean needsLocation = !action.equals("list");
    if (needsLocation && (args.length < 3 || args[2].startsWith("--"))) {
      throw new IllegalArgumentException("gateway " + action + " needs a location id");
    }
    String[] rest = java.util.Arrays.copyOfRange(args, needsLocation ? 2 : 1, args.length);
    Map<String, String> options =
        options(rest, Set.of("management-url", "user", "password", "vhost"));
    GatewayAccounts accounts =
        new GatewayAccounts(management(options), options.getOrDefault("vhost", "/"));
    switch (action) {
      case "add" -> {
        GatewayAccounts.Credentials credentials = accounts.add(args[2]);
        out.println("gateway account created; the password is shown only now:");
        out.println("  location_id : " + credentials.locationId());
        out.println("  username    : " + credentials.username());
        out.println("  password    : " + credentials.password());
        out.println("  publishes to: " + GatewayPublisher.topicOf(credentials.locationId()));
      }
      case "remove" -> {
        boolean existed = accounts.remove(args[2]);
        out.println(
            existed
                ? "gateway " + GatewayAccounts.userOf(args[2]) + " revoked"
                : "no gateway account for " + args[2] + "; nothing to revoke");
      }
      case "list" -> accounts.list().forEach(out::println);
      default -> throw new IllegalArgumentException("unknown gateway action '" + action + "'");
    }
  }

  private static void quarantine(String[] args, PrintStream out) throws Exception {
    if (args.length < 2 || !(args[1].equals("list") || args[1].equals("replay"))) {
      throw new IllegalArgumentException("quarantine needs list or replay");
    }
    String[] rest = java.util.Arrays.copyOfRange(args, 1, args.length);
    Map<String, String> options =
        options(
            rest,
            Set.of(
                "reason",
                "location",
                "limit",
                "mongo",
                "database",
                "amqp-host",
                "amqp-port",
                "user",
                "password"));
    try (com.mongodb.client.MongoClient mongo =
        com.mongodb.client.MongoClients.create(
            options.getOrDefault("mongo", "mongodb://127.0.0.1:27017"))) {
      Quarantine quarantine =
          new Quarantine(
              mongo
                  .getDatabase(options.getOrDefault("database", "saam"))
                  .getCollection("quarantine"));
      String reason = options.get("reason");
      String location = options.get("location");
      try (Connection connection = amqp(options).newConnection("saam-quarantine");
          Channel channel = connection.createChannel()) {
        int moved = quarantine.collectDeadLetters(channel, ReadingsQueue.DEFAULT);
        if (moved > 0) {
          out.println(
              "moved "
                  + moved
                  + " dead letters from "
                  + ReadingsQueue.DEFAULT.deadLetterQueue()
                  + " into quarantine (reason delivery_limit)");
        }
      }
      if (args[1].equals("list")) {
        var counts = quarantine.countsByReason();
        if (counts.isEmpty()) {
          out.println("quarantine is empty (nothing refused that was not replayed)");
          return;
        }
        out.println("pending by reason:");
        counts.forEach(
            c -> out.printf("  %-20s %d%n", c.get("_id"), ((Number) c.get("count")).longValue()));
        out.println();
        for (Quarantine.Entry entry :
            quarantine.pending(
                reason, location, Integer.parseInt(options.getOrDefault("limit", "20")))) {
          String raw =
              entry.raw().length() > 120 ? entry.raw().substring(0, 117) + "..." : entry.raw();
          out.printf(
              "%s  %-18s %-14s %s%n    %s%n",
              entry.receivedAt(), entry.reason(), entry.locationId(), entry.detail(), raw);
        }
        return;
      }
      try (Connection connection = amqp(options).newConnection("saam-quarantine-replay");
          Channel channel = connection.createChannel()) {
        int replayed = quarantine.replay(channel, reason, location);
        out.println("replayed " + replayed + " quarantined entries into the readings topic");
      }
    }
  }

  private static void publishDemo(Map<String, String> options, PrintStream out) throws Exception {
    int homes = Integer.parseInt(options.getOrDefault("homes", "3"));
    long minutes = Long.parseLong(options.getOrDefault("minutes", "120"));
    long seed = Long.parseLong(options.getOrDefault("seed", "42"));
    Instant start = Instant.parse(options.getOrDefault("start", "2026-11-21T23:00:00Z"));
    List<ReadingBatch> batches =
        new DemoHomes("demo-", homes, start, Duration.ofMinutes(minutes), seed).batches();
    long readings = 0;
    try (GatewayPublisher publisher =
        GatewayPublisher.connect(
            options.getOrDefault("mqtt", "tcp://127.0.0.1:1883"),
            "saam-demo-" + UUID.randomUUID(),
            System.getenv("SAAM_MQTT_USER"),
            System.getenv("SAAM_MQTT_PASSWORD") == null
                ? null
                : System.getenv("SAAM_MQTT_PASSWORD").toCharArray())) {
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

  /** The exception and its causes in one line: a bare IOException says nothing. */
  private static String describe(Throwable e) {
    StringBuilder text = new StringBuilder(String.valueOf(e));
    for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
      text.append("; caused by ").append(cause);
    }
    return text.toString();
  }

  /** Gives value-less flags (such as {@code --tls}) the value {@code true}. */
  private static String[] flagsWithValues(String[] args, Set<String> flags) {
    java.util.List<String> out = new java.util.ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      out.add(args[i]);
      boolean flag = args[i].startsWith("--") && flags.contains(args[i].substring(2));
      if (flag && (i + 1 >= args.length || args[i + 1].startsWith("--"))) {
        out.add("true");
      }
    }
    return out.toArray(new String[0]);
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
