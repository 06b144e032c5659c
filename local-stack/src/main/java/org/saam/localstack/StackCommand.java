package org.saam.localstack;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import java.io.PrintStream;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.bson.Document;
import org.bson.conversions.Bson;
import org.bson.json.JsonWriterSettings;

/**
 * Tools of the local stack, called by {@code ./saam}.
 *
 * <pre>
 * mongo-server     [--host 127.0.0.1] [--port 27017]   serve the MongoDB wire protocol until stopped
 * count-samples    [--from INSTANT --minutes M] [--locations L1,L2]   stored samples
 * count-quarantine [--locations L1,L2]                 documents in quarantine
 * show-bucket      --location L --source S             the newest measurement bucket, as JSON
 * kafka-topic      --name T [--partitions 3] [--retention-days 365] [--bootstrap 127.0.0.1:9092]
 *                  create a topic if it does not exist (idempotent)
 * common options:  --uri mongodb://127.0.0.1:27017  --database saam
 * </pre>
 *
 * <p>The MongoDB-wire server is mongo-java-server with its memory backend: no {@code mongod} can be
 * installed on the development machines. Its data lives as long as the process. Production runs a
 * MongoDB replica set; the platform uses only operations both support.
 */
public final class StackCommand {
  private static final String USAGE =
      """
      usage: saam-local-stack <command> [options]
        mongo-server      [--host 127.0.0.1] [--port 27017]
        count-samples     [--from INSTANT --minutes M] [--locations L1,L2]
        count-quarantine  [--locations L1,L2]
        show-bucket       --location L --source S
        kafka-topic       --name T [--partitions 3] [--retention-days 365] [--bootstrap 127.0.0.1:9092]
        (MongoDB commands take --uri mongodb://127.0.0.1:27017 and --database saam)
      """;

  private StackCommand() {}

  public static void main(String[] args) throws InterruptedException {
    System.exit(run(args, System.out, System.err));
  }

  static int run(String[] args, PrintStream out, PrintStream err) throws InterruptedException {
    String command = args.length == 0 ? "help" : args[0];
    Map<String, String> options;
    try {
      options = options(args);
      switch (command) {
        case "mongo-server" ->
            serveMongo(
                options.getOrDefault("host", "127.0.0.1"),
                Integer.parseInt(options.getOrDefault("port", "27017")),
                out);
        case "count-samples" -> out.println(countSamples(options));
        case "count-quarantine" -> out.println(countQuarantine(options));
        case "show-bucket" -> out.println(showBucket(options));
        case "kafka-topic" -> out.println(KafkaTopics.ensure(options));
        case "help", "--help" -> out.print(USAGE);
        default -> throw new IllegalArgumentException("unknown command '" + command + "'");
      }
      return 0;
    } catch (IllegalArgumentException | DateTimeParseException e) {
      err.println("saam-local-stack: " + e.getMessage());
      err.print(USAGE);
      return 2;
    } catch (IllegalStateException e) {
      err.println("saam-local-stack: " + e.getMessage());
      return 1;
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
  static long countSamples(Map<String, String> options) {
    Long fromMillis =
        options.containsKey("from") ? Instant.parse(options.get("from")).toEpochMilli() : null;
    long toMillis =
        fromMillis == null
            ? Long.MAX_VALUE
            : fromMillis + Long.parseLong(options.getOrDefault("minutes", "60")) * 60_000L;
    Bson filter = locationFilter(options);
    if (fromMillis != null) {
      filter =
          Filters.and(
              filter,
              Filters.gte("hour", new Date(Math.floorDiv(fromMillis, 3_600_000L) * 3_600_000L)),
              Filters.lt("hour", new Date(toMillis)));
    }
    Bson bucketFilter = filter;
    return database(
        options,
        db -> {
          long samples = 0;
          for (Document bucket :
              db.getCollection("measurements")
                  .find(bucketFilter)
                  .projection(new Document("samples", 1))) {
            Document bucketSamples = bucket.get("samples", Document.class);
            if (bucketSamples == null) {
              continue;
            }
            for (String epochMillis : bucketSamples.keySet()) {
              long ts = Long.parseLong(epochMillis);
              if (fromMillis == null || (ts >= fromMillis && ts < toMillis)) {
                samples++;
              }
            }
          }
          return samples;
        });
  }

  static long countQuarantine(Map<String, String> options) {
    return database(
        options, db -> db.getCollection("quarantine").countDocuments(locationFilter(options)));
  }

  /** Only the comma-separated {@code --locations}, or everything. */
  private static Bson locationFilter(Map<String, String> options) {
    String locations = options.get("locations");
    return locations == null
        ? new Document()
        : Filters.in("location_id", List.of(locations.split(",")));
  }

  static String showBucket(Map<String, String> options) {
    String location = required(options, "location");
    String source = required(options, "source");
    return database(
        options,
        db -> {
          Document bucket =
              db.getCollection("measurements")
                  .find(
                      Filters.and(
                          Filters.eq("location_id", location), Filters.eq("source_id", source)))
                  .sort(new Document("hour", -1))
                  .first();
          return bucket == null
              ? "no bucket for location " + location + " and source " + source
              : bucket.toJson(JsonWriterSettings.builder().indent(true).build());
        });
  }

  private static <T> T database(
      Map<String, String> options, java.util.function.Function<MongoDatabase, T> query) {
    try (MongoClient client =
        MongoClients.create(options.getOrDefault("uri", "mongodb://127.0.0.1:27017"))) {
      return query.apply(client.getDatabase(options.getOrDefault("database", "saam")));
    }
  }

  private static String required(Map<String, String> options, String key) {
    String value = options.get(key);
    if (value == null) {
      throw new IllegalArgumentException("option --" + key + " is required");
    }
    return value;
  }

  private static Map<String, String> options(String[] args) {
    Map<String, String> options = new HashMap<>();
    for (int i = 1; i < args.length; i += 2) {
      if (!args[i].startsWith("--") || i + 1 >= args.length) {
        throw new IllegalArgumentException("expected --option value, got '" + args[i] + "'");
      }
      options.put(args[i].substring(2), args[i + 1]);
    }
    return options;
  }
}
