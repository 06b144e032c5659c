package org.saam.ingestion;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import java.io.PrintWriter;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import org.saam.common.broker.ManagementApi;
import org.saam.common.broker.Topics;
import org.saam.common.cli.Cli;
import org.saam.common.records.ReadingBatch;
import org.saam.common.store.QuarantineEntry;
import org.saam.ingestion.broker.BrokerAccounts;
import org.saam.ingestion.broker.BrokerTopology;
import org.saam.ingestion.broker.GatewayAccounts;
import org.saam.ingestion.broker.ReadingsQueue;
import org.saam.ingestion.gateway.DemoHomes;
import org.saam.ingestion.gateway.GatewayPublisher;
import org.saam.ingestion.quarantine.Quarantine;
import org.saam.ingestion.simulator.SimulateCommand;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * Command line of the ingestion module, called by {@code ./saam}: the broker's topology and
 * accounts, gateway accounts, quarantine, the simulator and the demo publisher. Exit codes: see
 * {@link Cli} (0 done, 1 the broker or store refused or is unreachable, 2 a bad command line).
 */
@Command(
    name = "saam-ingestion",
    mixinStandardHelpOptions = true,
    description = "Broker topology and accounts, gateways, quarantine, simulation.",
    subcommands = {
      IngestionCommand.Topology.class,
      IngestionCommand.Gateway.class,
      IngestionCommand.QuarantineCommand.class,
      SimulateCommand.class,
      IngestionCommand.DemoPublish.class
    })
public final class IngestionCommand implements Runnable {
  @Spec CommandSpec spec;

  public static void main(String[] args) {
    System.exit(Cli.run(new IngestionCommand(), args, System.out, System.err));
  }

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "name a command");
  }

  /**
   * Who a broker command logs in as and where the broker is: options, else the environment; never a
   * default password.
   */
  static final class Broker {
    @Option(
        names = "--user",
        defaultValue = "${env:SAAM_RABBITMQ_USER:-saam-admin}",
        description = "broker administrator (default: env SAAM_RABBITMQ_USER, else saam-admin)")
    String user;

    @Option(
        names = "--password",
        defaultValue = "${env:SAAM_RABBITMQ_PASSWORD}",
        description = "their password (default: env SAAM_RABBITMQ_PASSWORD; ./saam sets both)")
    String password;

    @Option(
        names = "--amqp-host",
        defaultValue = "127.0.0.1",
        description = "default: ${DEFAULT-VALUE}")
    String amqpHost;

    @Option(names = "--amqp-port", defaultValue = "5672", description = "default: ${DEFAULT-VALUE}")
    int amqpPort;

    @Option(
        names = "--management-url",
        defaultValue = "http://127.0.0.1:15672",
        description = "the management API (default: ${DEFAULT-VALUE})")
    URI managementUrl;

    String password() {
      if (password == null || password.isEmpty()) {
        throw new IllegalArgumentException(
            "no broker password: pass --password or set SAAM_RABBITMQ_PASSWORD (./saam sets it for"
                + " the local stack)");
      }
      return password;
    }

    ConnectionFactory amqp() {
      ConnectionFactory factory = new ConnectionFactory();
      factory.setHost(amqpHost);
      factory.setPort(amqpPort);
      factory.setUsername(user);
      factory.setPassword(password());
      return factory;
    }

    ManagementApi management() {
      return new ManagementApi(managementUrl, user, password());
    }
  }

  @Command(
      name = "topology",
      mixinStandardHelpOptions = true,
      description = {
        "Declare the readings queue (delivery limit 5), its dead-letter queue and the binding;"
            + " create or update the pipeline's broker account (password from"
            + " SAAM_RABBITMQ_PIPELINE_PASSWORD) and, with SAAM_MQTT_PASSWORD set, the local"
            + " simulator's; tighten existing gateway accounts; delete 'guest'. Idempotent."
      })
  static final class Topology implements Callable<Integer> {
    @Mixin Broker broker;

    @Option(
        names = "--queue",
        defaultValue = Topics.READINGS_QUEUE,
        description = "the readings quorum queue (default: ${DEFAULT-VALUE})")
    String queue;

    @Spec CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      PrintWriter out = spec.commandLine().getOut();
      ReadingsQueue readings =
          new ReadingsQueue(
              queue, ReadingsQueue.DEFAULT.bindingKey(), ReadingsQueue.DEFAULT.maxLength());
      try (Connection connection = broker.amqp().newConnection("saam-topology")) {
        BrokerTopology.install(connection, readings);
      }
      out.printf(
          "topology ready: quorum queue %s bound to %s with %s, delivery limit %d, dead letters to"
              + " %s%n",
          readings.queue(),
          BrokerTopology.MQTT_EXCHANGE,
          readings.bindingKey(),
          ReadingsQueue.DELIVERY_LIMIT,
          readings.deadLetterQueue());
      ManagementApi api = broker.management();
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
      if (accounts.removeGuest(broker.user)) {
        out.println("default account 'guest' deleted");
      }
      return Cli.OK;
    }
  }

  @Command(
      name = "gateway",
      mixinStandardHelpOptions = true,
      description = "Gateway broker accounts: one per home, writing only its own readings topic.",
      subcommands = {Gateway.Add.class, Gateway.Remove.class, Gateway.ListAccounts.class})
  static final class Gateway implements Runnable {
    @Spec CommandSpec spec;

    @Override
    public void run() {
      throw new ParameterException(spec.commandLine(), "gateway needs add, remove or list");
    }

    /** The management API and the virtual host of the accounts. */
    static final class Accounts {
      @Mixin Broker broker;

      @Option(names = "--vhost", defaultValue = "/", description = "default: ${DEFAULT-VALUE}")
      String vhost;

      GatewayAccounts open() {
        return new GatewayAccounts(broker.management(), vhost);
      }
    }

    @Command(
        name = "add",
        mixinStandardHelpOptions = true,
        description = "Create the gateway's broker account; prints its password once.")
    static final class Add implements Callable<Integer> {
      @Mixin Accounts accounts;

      @Parameters(paramLabel = "LOCATION_ID", description = "the home")
      String locationId;

      @Spec CommandSpec spec;

      @Override
      public Integer call() throws Exception {
        GatewayAccounts.Credentials credentials = accounts.open().add(locationId);
        PrintWriter out = spec.commandLine().getOut();
        out.println("gateway account created; the password is shown only now:");
        out.println("  location_id : " + credentials.locationId());
        out.println("  username    : " + credentials.username());
        out.println("  password    : " + credentials.password());
        out.println("  publishes to: " + GatewayPublisher.topicOf(credentials.locationId()));
        return Cli.OK;
      }
    }

    @Command(
        name = "remove",
        mixinStandardHelpOptions = true,
        description = "Revoke a gateway: delete its account, close its connections.")
    static final class Remove implements Callable<Integer> {
      @Mixin Accounts accounts;

      @Parameters(paramLabel = "LOCATION_ID", description = "the home")
      String locationId;

      @Spec CommandSpec spec;

      @Override
      public Integer call() throws Exception {
        boolean existed = accounts.open().remove(locationId);
        spec.commandLine()
            .getOut()
            .println(
                existed
                    ? "gateway " + GatewayAccounts.userOf(locationId) + " revoked"
                    : "no gateway account for " + locationId + "; nothing to revoke");
        return Cli.OK;
      }
    }

    @Command(
        name = "list",
        mixinStandardHelpOptions = true,
        description = "Location ids that have a gateway account.")
    static final class ListAccounts implements Callable<Integer> {
      @Mixin Accounts accounts;

      @Spec CommandSpec spec;

      @Override
      public Integer call() throws Exception {
        accounts.open().list().forEach(spec.commandLine().getOut()::println);
        return Cli.OK;
      }
    }
  }

  @Command(
      name = "quarantine",
      mixinStandardHelpOptions = true,
      description = {
        "Refused input: list it by reason, or publish it again. Both first move the broker's dead"
            + " letters (saam.readings.dead) into quarantine, reason delivery_limit."
      },
      subcommands = {QuarantineCommand.ListEntries.class, QuarantineCommand.Replay.class})
  static final class QuarantineCommand implements Runnable {
    @Spec CommandSpec spec;

    @Override
    public void run() {
      throw new ParameterException(spec.commandLine(), "quarantine needs list or replay");
    }

    /** Which entries, and where quarantine is. */
    static final class Selection {
      @Mixin Broker broker;

      @Option(names = "--reason", description = "only this reason, for example unknown_source")
      String reason;

      @Option(names = "--location", description = "only this location")
      String location;

      @Option(
          names = "--mongo",
          defaultValue = "mongodb://127.0.0.1:27017",
          description = "default: ${DEFAULT-VALUE}")
      String mongo;

      @Option(
          names = "--database",
          defaultValue = "saam",
          description = "default: ${DEFAULT-VALUE}")
      String database;

      /** Opens quarantine, moves the dead letters into it, and runs {@code work} on it. */
      void run(PrintWriter out, QuarantineWork work) throws Exception {
        try (MongoClient client = MongoClients.create(mongo)) {
          Quarantine quarantine =
              new Quarantine(
                  client.getDatabase(database).getCollection(QuarantineEntry.COLLECTION));
          try (Connection connection = broker.amqp().newConnection("saam-quarantine");
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
            work.run(quarantine, channel);
          }
        }
      }
    }

    /** What a quarantine command does once quarantine is open. */
    @FunctionalInterface
    interface QuarantineWork {
      void run(Quarantine quarantine, Channel channel) throws Exception;
    }

    @Command(
        name = "list",
        mixinStandardHelpOptions = true,
        description = "Pending entries by reason, then the newest of them.")
    static final class ListEntries implements Callable<Integer> {
      @Mixin Selection selection;

      @Option(
          names = "--limit",
          defaultValue = "20",
          description = "entries shown at most (default: ${DEFAULT-VALUE})")
      int limit;

      @Spec CommandSpec spec;

      @Override
      public Integer call() throws Exception {
        if (limit < 1) {
          throw new IllegalArgumentException("--limit must be at least 1, was " + limit);
        }
        PrintWriter out = spec.commandLine().getOut();
        selection.run(
            out,
            (quarantine, channel) -> {
              var counts = quarantine.countsByReason();
              if (counts.isEmpty()) {
                out.println("quarantine is empty (nothing refused that was not replayed)");
                return;
              }
              out.println("pending by reason:");
              counts.forEach(
                  c ->
                      out.printf(
                          "  %-20s %d%n", c.get("_id"), ((Number) c.get("count")).longValue()));
              out.println();
              for (QuarantineEntry entry :
                  quarantine.pending(selection.reason, selection.location, limit)) {
                String raw =
                    entry.raw().length() > 120
                        ? entry.raw().substring(0, 117) + "..."
                        : entry.raw();
                out.printf(
                    "%s  %-18s %-14s %s%n    %s%n",
                    Instant.ofEpochMilli(entry.receivedAtMillis()),
                    entry.reason(),
                    entry.locationId(),
                    entry.detail(),
                    raw);
              }
            });
        return Cli.OK;
      }
    }

    @Command(
        name = "replay",
        mixinStandardHelpOptions = true,
        description = "Publish pending entries to their readings topic again; mark them replayed.")
    static final class Replay implements Callable<Integer> {
      @Mixin Selection selection;

      @Spec CommandSpec spec;

      @Override
      public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        selection.run(
            out,
            (quarantine, channel) -> {
              int replayed = quarantine.replay(channel, selection.reason, selection.location);
              out.println("replayed " + replayed + " quarantined entries into the readings topic");
            });
        return Cli.OK;
      }
    }
  }

  @Command(
      name = "demo-publish",
      mixinStandardHelpOptions = true,
      description = "Publish the demo homes over MQTT with QoS 1 and print progress.")
  static final class DemoPublish implements Callable<Integer> {
    @Option(
        names = "--mqtt",
        defaultValue = "tcp://127.0.0.1:1883",
        description = "default: ${DEFAULT-VALUE}")
    String mqtt;

    @Option(names = "--homes", defaultValue = "3", description = "default: ${DEFAULT-VALUE}")
    int homes;

    @Option(names = "--minutes", defaultValue = "120", description = "default: ${DEFAULT-VALUE}")
    long minutes;

    @Option(names = "--seed", defaultValue = "42", description = "default: ${DEFAULT-VALUE}")
    long seed;

    @Option(
        names = "--start",
        defaultValue = "2026-11-21T23:00:00Z",
        description = "first reading's time (default: ${DEFAULT-VALUE})")
    Instant start;

    @Spec CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      if (homes < 1 || minutes < 1) {
        throw new IllegalArgumentException("--homes and --minutes must be at least 1");
      }
      PrintWriter out = spec.commandLine().getOut();
      List<ReadingBatch> batches =
          new DemoHomes("demo-", homes, start, Duration.ofMinutes(minutes), seed).batches();
      long readings = 0;
      try (GatewayPublisher publisher =
          GatewayPublisher.connect(
              mqtt,
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
          out.flush();
        }
      }
      out.println();
      out.println("published_readings=" + readings);
      return Cli.OK;
    }
  }
}
