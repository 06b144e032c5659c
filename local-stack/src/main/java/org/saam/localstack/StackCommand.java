package org.saam.localstack;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.bson.Document;
import org.bson.conversions.Bson;
import org.bson.json.JsonWriterSettings;
import org.saam.common.cli.Cli;
import org.saam.common.store.MeasurementBuckets;
import org.saam.common.store.QuarantineEntry;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Tools of the local stack, called by {@code ./saam}: the MongoDB-wire server, counts and a bucket
 * of the store for the demo's checks, and Kafka topic creation. Exit codes: see {@link Cli}.
 *
 * <p>The MongoDB-wire server is mongo-java-server with its memory backend: no {@code mongod} can be
 * installed on the development machines. Its data lives as long as the process. Production runs a
 * MongoDB replica set; the platform uses only operations both support.
 */
@Command(
    name = "saam-local-stack",
    mixinStandardHelpOptions = true,
    description = "Tools of the local stack.",
    subcommands = {
      StackCommand.ServeMongo.class,
      StackCommand.CountSamples.class,
      StackCommand.CountQuarantine.class,
      StackCommand.ShowBucket.class,
      StackCommand.KafkaTopic.class,
      StackCommand.BackupMongo.class,
      StackCommand.RestoreMongo.class,
      StackCommand.BackupTopic.class,
      StackCommand.RestoreTopic.class
    })
public final class StackCommand implements Runnable {
  private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
      new com.fasterxml.jackson.databind.ObjectMapper();

  @Spec CommandSpec spec;

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  static int run(String[] args, PrintStream out, PrintStream err) {
    return Cli.run(new StackCommand(), args, out, err);
  }

  @Override
  public void run() {
    throw new picocli.CommandLine.ParameterException(spec.commandLine(), "name a command");
  }

  /** Where the store is. */
  static final class Store {
    @Option(
        names = "--uri",
        defaultValue = "mongodb://127.0.0.1:27017",
        description = "MongoDB (default: ${DEFAULT-VALUE})")
    String uri;

    @Option(
        names = "--database",
        defaultValue = "saam",
        description = "database (default: ${DEFAULT-VALUE})")
    String database;

    @Option(
        names = "--locations",
        split = ",",
        description = "only these locations (comma-separated); default: all")
    List<String> locations;
  }

  @Command(
      name = "mongo-server",
      mixinStandardHelpOptions = true,
      description = "Serve the MongoDB wire protocol (memory backend) until stopped.")
  static final class ServeMongo implements Callable<Integer> {
    @Option(names = "--host", defaultValue = "127.0.0.1", description = "default: ${DEFAULT-VALUE}")
    String host;

    @Option(names = "--port", defaultValue = "27017", description = "default: ${DEFAULT-VALUE}")
    int port;

    @Spec CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
      serveMongo(host, port, new PrintStream(System.out, true));
      return Cli.OK;
    }
  }

  @Command(
      name = "count-samples",
      mixinStandardHelpOptions = true,
      description = "Stored samples; with --from, only those in [from, from + minutes).")
  static final class CountSamples implements Callable<Integer> {
    @Mixin Store store;

    @Option(names = "--from", description = "an ISO-8601 instant, for example 2026-11-21T23:00:00Z")
    Instant from;

    @Option(
        names = "--minutes",
        defaultValue = "60",
        description = "with --from: how many minutes (default: ${DEFAULT-VALUE})")
    long minutes;

    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      spec.commandLine().getOut().println(countSamples(store, from, minutes));
      return Cli.OK;
    }
  }

  @Command(
      name = "count-quarantine",
      mixinStandardHelpOptions = true,
      description = "Documents in quarantine.")
  static final class CountQuarantine implements Callable<Integer> {
    @Mixin Store store;

    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      spec.commandLine().getOut().println(countQuarantine(store));
      return Cli.OK;
    }
  }

  @Command(
      name = "show-bucket",
      mixinStandardHelpOptions = true,
      description = "The newest measurement bucket of a location and source, as JSON.")
  static final class ShowBucket implements Callable<Integer> {
    @Mixin Store store;

    @Option(names = "--location", required = true, description = "the location id")
    String location;

    @Option(names = "--source", required = true, description = "the source id")
    String source;

    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      spec.commandLine().getOut().println(showBucket(store, location, source));
      return Cli.OK;
    }
  }

  @Command(
      name = "kafka-topic",
      mixinStandardHelpOptions = true,
      description = "Create a topic if it does not exist (idempotent).")
  static final class KafkaTopic implements Callable<Integer> {
    @Option(names = "--name", required = true, description = "letters, digits, . _ -")
    String name;

    @Option(names = "--partitions", defaultValue = "3", description = "default: ${DEFAULT-VALUE}")
    int partitions;

    @Option(
        names = "--retention-days",
        defaultValue = "365",
        description = "default: ${DEFAULT-VALUE}")
    long retentionDays;

    @Option(
        names = "--bootstrap",
        defaultValue = "127.0.0.1:9092",
        description = "Kafka (default: ${DEFAULT-VALUE})")
    String bootstrap;

    @Spec CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
      spec.commandLine()
          .getOut()
          .println(KafkaTopics.ensure(name, partitions, retentionDays, bootstrap));
      return Cli.OK;
    }
  }

  @Command(
      name = "backup-mongo",
      mixinStandardHelpOptions = true,
      description =
          "Dump every collection of a database in mongodump's layout (<out>/<database>/<name>.bson"
              + " and .metadata.json); prints the documents per collection.")
  static final class BackupMongo implements Callable<Integer> {
    @Mixin Store store;

    @Option(names = "--out", required = true, description = "the backup folder")
    Path out;

    @Spec CommandSpec spec;

    @Override
    public Integer call() throws IOException {
      PrintWriter progress = spec.commandLine().getErr();
      Map<String, Long> counts = MongoDump.dump(store.uri, store.database, out, progress);
      spec.commandLine().getOut().println(JSON.writeValueAsString(counts));
      return Cli.OK;
    }
  }

  @Command(
      name = "restore-mongo",
      mixinStandardHelpOptions = true,
      description =
          "Replace the collections of a database by those of a backup-mongo (or mongodump)"
              + " folder; prints the documents per collection.")
  static final class RestoreMongo implements Callable<Integer> {
    @Mixin Store store;

    @Option(names = "--from", required = true, description = "the backup folder")
    Path from;

    @Spec CommandSpec spec;

    @Override
    public Integer call() throws IOException {
      PrintWriter progress = spec.commandLine().getErr();
      Map<String, Long> counts = MongoDump.restore(store.uri, store.database, from, progress);
      spec.commandLine().getOut().println(JSON.writeValueAsString(counts));
      return Cli.OK;
    }
  }

  /** Where the topic is. */
  static final class Topic {
    @Option(names = "--topic", required = true, description = "the topic")
    String name;

    @Option(
        names = "--bootstrap",
        defaultValue = "127.0.0.1:9092",
        description = "Kafka (default: ${DEFAULT-VALUE})")
    String bootstrap;
  }

  @Command(
      name = "backup-topic",
      mixinStandardHelpOptions = true,
      description =
          "Write every record of a topic to NDJSON (partition, offset, timestamp, key, headers,"
              + " value); prints how many.")
  static final class BackupTopic implements Callable<Integer> {
    @Mixin Topic topic;

    @Option(names = "--out", required = true, description = "the NDJSON file to write")
    Path out;

    @Spec CommandSpec spec;

    @Override
    public Integer call() throws IOException {
      long count = TopicDump.dump(topic.bootstrap, topic.name, out, spec.commandLine().getErr());
      spec.commandLine().getOut().println(count);
      return Cli.OK;
    }
  }

  @Command(
      name = "restore-topic",
      mixinStandardHelpOptions = true,
      description =
          "Write the records of a backup-topic file to a topic, each to its partition; the topic"
              + " must be empty unless --replace; prints how many.")
  static final class RestoreTopic implements Callable<Integer> {
    @Mixin Topic topic;

    @Option(names = "--from", required = true, description = "the NDJSON file")
    Path from;

    @Option(names = "--replace", description = "delete what the topic holds first")
    boolean replace;

    @Spec CommandSpec spec;

    @Override
    public Integer call() throws IOException, InterruptedException {
      long count =
          TopicDump.restore(
              topic.bootstrap, topic.name, from, replace, spec.commandLine().getErr());
      spec.commandLine().getOut().println(count);
      return Cli.OK;
    }
  }

  /** Serves the MongoDB wire protocol until the JVM is asked to stop. */
  static void serveMongo(String host, int port, PrintStream out) throws InterruptedException {
    MongoServer server = new MongoServer(new MemoryBackend());
    server.bind(host, port);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  server.shutdown();
                  stopped.countDown();
                },
                "mongo-server-shutdown"));
    out.printf("MongoDB-wire server (memory backend) listening on %s:%d%n", host, port);
    out.flush();
    stopped.await();
  }

  /**
   * Samples in {@code measurements}; with {@code --from} and {@code --minutes} only those whose
   * timestamp lies in {@code [from, from + minutes)}.
   */
  static long countSamples(Store store, Instant from, long minutes) {
    if (minutes < 1) {
      throw new IllegalArgumentException("--minutes must be at least 1, was " + minutes);
    }
    Long fromMillis = from == null ? null : from.toEpochMilli();
    long toMillis = fromMillis == null ? Long.MAX_VALUE : fromMillis + minutes * 60_000L;
    Bson filter = locationFilter(store);
    if (fromMillis != null) {
      filter = Filters.and(filter, MeasurementBuckets.hoursCovering(fromMillis, toMillis));
    }
    Bson bucketFilter = filter;
    return database(
        store,
        db -> {
          long samples = 0;
          for (Document bucket :
              db.getCollection(MeasurementBuckets.COLLECTION)
                  .find(bucketFilter)
                  .projection(new Document(MeasurementBuckets.SAMPLES, 1))) {
            for (MeasurementBuckets.Sample sample : MeasurementBuckets.read(bucket).samples()) {
              long ts = sample.tsMillis();
              if (fromMillis == null || (ts >= fromMillis && ts < toMillis)) {
                samples++;
              }
            }
          }
          return samples;
        });
  }

  static long countQuarantine(Store store) {
    return database(
        store,
        db -> db.getCollection(QuarantineEntry.COLLECTION).countDocuments(locationFilter(store)));
  }

  /** Only the given locations, or everything. */
  private static Bson locationFilter(Store store) {
    return store.locations == null || store.locations.isEmpty()
        ? new Document()
        : Filters.in(MeasurementBuckets.LOCATION_ID, store.locations);
  }

  static String showBucket(Store store, String location, String source) {
    return database(
        store,
        db -> {
          Document bucket =
              db.getCollection(MeasurementBuckets.COLLECTION)
                  .find(
                      Filters.and(
                          Filters.eq(MeasurementBuckets.LOCATION_ID, location),
                          Filters.eq(MeasurementBuckets.SOURCE_ID, source)))
                  .sort(new Document(MeasurementBuckets.HOUR, -1))
                  .first();
          return bucket == null
              ? "no bucket for location " + location + " and source " + source
              : bucket.toJson(JsonWriterSettings.builder().indent(true).build());
        });
  }

  private static <T> T database(Store store, java.util.function.Function<MongoDatabase, T> query) {
    try (MongoClient client = MongoClients.create(store.uri)) {
      return query.apply(client.getDatabase(store.database));
    }
  }
}
