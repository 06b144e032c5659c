package org.saam.localstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.bson.Document;
import org.bson.types.Binary;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MongoDumpTest {
  private MongoServer server;
  private String uri;
  private MongoClient client;
  private final StringWriter progress = new StringWriter();

  @TempDir Path dir;

  @BeforeEach
  void serve() {
    server = new MongoServer(new MemoryBackend());
    InetSocketAddress address = server.bind();
    uri = "mongodb://127.0.0.1:" + address.getPort();
    client = MongoClients.create(uri);
  }

  @AfterEach
  void stop() {
    client.close();
    server.shutdown();
  }

  @Test
  void aDumpRestoredIntoAnEmptiedDatabaseGivesBackEveryDocumentAndIndex() throws IOException {
    MongoDatabase db = client.getDatabase("saam");
    List<Document> buckets = new ArrayList<>();
    for (int i = 0; i < 2_345; i++) {
      buckets.add(
          new Document("_id", "home-" + i + "|bed.presence|2026-11-0" + (i % 9 + 1))
              .append("location_id", "home-" + i)
              .append("samples", List.of(new Document("t", i).append("v", i * 0.5)))
              .append("raw", new Binary(new byte[] {0, (byte) i, -1})));
    }
    db.getCollection("measurements").insertMany(buckets);
    db.getCollection("measurements")
        .createIndex(
            Indexes.ascending("location_id", "_id"), new IndexOptions().name("by_location"));
    db.getCollection("quarantine").insertOne(new Document("reason", "bad_json"));

    Map<String, Long> dumped = MongoDump.dump(uri, "saam", dir, new PrintWriter(progress));
    assertThat(dumped).containsEntry("measurements", 2_345L).containsEntry("quarantine", 1L);
    assertThat(dir.resolve("saam/measurements.bson")).isRegularFile();
    assertThat(Files.readString(dir.resolve("saam/measurements.metadata.json")))
        .contains("by_location");

    db.drop();
    db.getCollection("measurements").insertOne(new Document("_id", "written after the backup"));
    Map<String, Long> restored = MongoDump.restore(uri, "saam", dir, new PrintWriter(progress));

    assertThat(restored).isEqualTo(dumped);
    List<Document> back = db.getCollection("measurements").find().into(new ArrayList<>());
    assertThat(back).containsExactlyInAnyOrderElementsOf(buckets);
    List<String> indexes = new ArrayList<>();
    db.getCollection("measurements").listIndexes().forEach(i -> indexes.add(i.getString("name")));
    assertThat(indexes).contains("by_location");
    assertThat(progress.toString()).contains("saam.measurements: 2,345 documents");
  }

  @Test
  void aTruncatedDumpIsRefusedNamingTheFile() throws IOException {
    MongoDatabase db = client.getDatabase("saam");
    db.getCollection("features").insertOne(new Document("_id", "p|feature.sleep|1"));
    MongoDump.dump(uri, "saam", dir, new PrintWriter(progress));
    Path file = dir.resolve("saam/features.bson");
    byte[] whole = Files.readAllBytes(file);
    Files.write(file, Arrays.copyOf(whole, whole.length - 3));

    assertThatThrownBy(() -> MongoDump.restore(uri, "saam", dir, new PrintWriter(progress)))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("features.bson")
        .hasMessageContaining("truncated");
  }

  @Test
  void bytesThatAreNotBsonAreRefusedBeforeAnythingIsRead() {
    byte[] text = "{\"_id\": 1}\n".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    assertThatThrownBy(() -> MongoDump.next(new ByteArrayInputStream(text), Path.of("x.bson")))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("not a BSON dump");
  }

  @Test
  void aMissingDatabaseFolderIsNamed() {
    assertThatThrownBy(() -> MongoDump.restore(uri, "saam", dir, new PrintWriter(progress)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no dump of database 'saam'");
  }
}
