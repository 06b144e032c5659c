package org.saam.localstack;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import java.io.PrintStream;
import java.util.concurrent.CountDownLatch;
import org.bson.Document;

/**
 * Tools of the local stack, called by {@code ./saam}.
 *
 * <pre>
 * mongo-server   [--host 127.0.0.1] [--port 27017]   run the MongoDB-wire server until stopped
 * count-samples  [--uri U] [--database saam]          print the number of stored samples
 * </pre>
 *
 * <p>The MongoDB-wire server is mongo-java-server with its memory backend: no {@code mongod} can be
 * installed on the development machines. Its data lives as long as the process. Production runs a
 * MongoDB replica set; the platform uses only operations both support.
 */
public final class StackCommand {
  private StackCommand() {}

  public static void main(String[] args) throws InterruptedException {
    System.exit(run(args, System.out, System.err));
  }

  static int run(String[] args, PrintStream out, PrintStream err) throws InterruptedException {
    String command = args.length == 0 ? "help" : args[0];
    switch (command) {
      case "mongo-server" -> {
        String host = option(args, "--host", "127.0.0.1");
        int port = Integer.parseInt(option(args, "--port", "27017"));
        serveMongo(host, port, out);
        return 0;
      }
      case "count-samples" -> {
        out.println(
            countSamples(
                option(args, "--uri", "mongodb://127.0.0.1:27017"),
                option(args, "--database", "saam")));
        return 0;
      }
      default -> {
        err.println(
            "usage: saam-local-stack mongo-server [--host H] [--port P]"
                + " | count-samples [--uri U] [--database D]");
        return command.equals("help") ? 0 : 2;
      }
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

  /** Total number of samples over every bucket of {@code measurements}. */
  static long countSamples(String uri, String database) {
    try (MongoClient client = MongoClients.create(uri)) {
      MongoCollection<Document> measurements =
          client.getDatabase(database).getCollection("measurements");
      long samples = 0;
      for (Document bucket : measurements.find().projection(new Document("samples", 1))) {
        Document bucketSamples = bucket.get("samples", Document.class);
        samples += bucketSamples == null ? 0 : bucketSamples.size();
      }
      return samples;
    }
  }

  private static String option(String[] args, String name, String fallback) {
    for (int i = 1; i + 1 < args.length; i++) {
      if (args[i].equals(name)) {
        return args[i + 1];
      }
    }
    return fallback;
  }
}
