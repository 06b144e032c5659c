package org.saam.localstack;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoCursor;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.InsertManyOptions;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.bson.BsonArray;
import org.bson.BsonDocument;
import org.bson.BsonString;
import org.bson.RawBsonDocument;
import org.bson.json.JsonMode;
import org.bson.json.JsonWriterSettings;

/**
 * A database dumped in the directory layout of {@code mongodump} and read back: per collection
 * {@code <database>/<collection>.bson} (the documents, one BSON document after another) and {@code
 * <collection>.metadata.json} (its indexes, canonical extended JSON). A real {@code mongorestore}
 * reads the same folder, so a backup of the local stand-in can seed a real MongoDB and back.
 */
final class MongoDump {
  /** Largest document MongoDB accepts (16 MiB), plus room for the length prefix. */
  private static final int MAX_DOCUMENT_BYTES = 16 * 1024 * 1024 + 16 * 1024;

  private static final int INSERT_BATCH = 1_000;

  private static final JsonWriterSettings CANONICAL =
      JsonWriterSettings.builder().outputMode(JsonMode.EXTENDED).build();

  private MongoDump() {}

  /** Writes every collection of {@code database} under {@code out/<database>/}; counts per name. */
  static Map<String, Long> dump(String uri, String database, Path out, PrintWriter progress)
      throws IOException {
    Path folder = out.resolve(database);
    Files.createDirectories(folder);
    Map<String, Long> counts = new TreeMap<>();
    try (MongoClient client = MongoClients.create(uri)) {
      MongoDatabase db = client.getDatabase(database);
      for (String name : db.listCollectionNames()) {
        MongoCollection<RawBsonDocument> collection = db.getCollection(name, RawBsonDocument.class);
        long count = 0;
        try (OutputStream bson =
                new BufferedOutputStream(Files.newOutputStream(folder.resolve(name + ".bson")));
            MongoCursor<RawBsonDocument> documents = collection.find().iterator()) {
          while (documents.hasNext()) {
            ByteBuffer bytes = documents.next().getByteBuffer().asNIO();
            byte[] copy = new byte[bytes.remaining()];
            bytes.get(copy);
            bson.write(copy);
            count++;
            if (count % 100_000 == 0) {
              progress.printf("  %s.%s: %,d documents...%n", database, name, count);
              progress.flush();
            }
          }
        }
        BsonArray indexes = new BsonArray();
        for (BsonDocument index : db.getCollection(name).listIndexes(BsonDocument.class)) {
          indexes.add(index);
        }
        BsonDocument metadata =
            new BsonDocument("indexes", indexes)
                .append("uuid", new BsonString(""))
                .append("collectionName", new BsonString(name))
                .append("type", new BsonString("collection"));
        Files.writeString(
            folder.resolve(name + ".metadata.json"),
            metadata.toJson(CANONICAL),
            StandardCharsets.UTF_8);
        counts.put(name, count);
        progress.printf(
            "  %s.%s: %,d documents, %d indexes%n", database, name, count, indexes.size());
        progress.flush();
      }
    }
    return counts;
  }

  /**
   * Replaces the collections of {@code database} by those dumped in {@code in/<database>/}: each is
   * dropped, its documents inserted and its indexes created. Collections not in the dump are left
   * alone. Counts per name.
   */
  static Map<String, Long> restore(String uri, String database, Path in, PrintWriter progress)
      throws IOException {
    Path folder = in.resolve(database);
    if (!Files.isDirectory(folder)) {
      throw new IllegalArgumentException(
          "no dump of database '"
              + database
              + "' in "
              + in
              + " (expected the folder "
              + folder
              + ")");
    }
    List<Path> files;
    try (Stream<Path> listing = Files.list(folder)) {
      files = listing.filter(p -> p.getFileName().toString().endsWith(".bson")).sorted().toList();
    }
    Map<String, Long> counts = new LinkedHashMap<>();
    try (MongoClient client = MongoClients.create(uri)) {
      MongoDatabase db = client.getDatabase(database);
      List<String> existing = db.listCollectionNames().into(new ArrayList<>());
      for (Path file : files) {
        String name = file.getFileName().toString().replaceFirst("\\.bson$", "");
        MongoCollection<RawBsonDocument> collection = db.getCollection(name, RawBsonDocument.class);
        if (existing.contains(name)) {
          collection.drop();
        }
        long count = 0;
        List<RawBsonDocument> batch = new ArrayList<>(INSERT_BATCH);
        try (InputStream bson = new BufferedInputStream(Files.newInputStream(file))) {
          RawBsonDocument document;
          while ((document = next(bson, file)) != null) {
            batch.add(document);
            if (batch.size() == INSERT_BATCH) {
              collection.insertMany(batch, new InsertManyOptions().ordered(true));
              count += batch.size();
              batch.clear();
            }
          }
        }
        if (!batch.isEmpty()) {
          collection.insertMany(batch);
          count += batch.size();
        }
        int indexes =
            createIndexes(db.getCollection(name), folder.resolve(name + ".metadata.json"));
        counts.put(name, count);
        progress.printf("  %s.%s: %,d documents, %d indexes%n", database, name, count, indexes);
        progress.flush();
      }
    }
    return counts;
  }

  /** The next document of a dump file, or null at its end; a torn or oversized one is an error. */
  static RawBsonDocument next(InputStream in, Path file) throws IOException {
    byte[] prefix = new byte[4];
    int read = in.readNBytes(prefix, 0, 4);
    if (read == 0) {
      return null;
    }
    if (read < 4) {
      throw new IOException(file + " ends inside a document's length: the dump is truncated");
    }
    int length = ByteBuffer.wrap(prefix).order(ByteOrder.LITTLE_ENDIAN).getInt();
    if (length < 5 || length > MAX_DOCUMENT_BYTES) {
      throw new IOException(
          file + " holds a document length of " + length + " bytes: not a BSON dump, or damaged");
    }
    byte[] document = new byte[length];
    System.arraycopy(prefix, 0, document, 0, 4);
    try {
      new DataInputStream(in).readFully(document, 4, length - 4);
    } catch (EOFException e) {
      throw new IOException(file + " ends inside a document: the dump is truncated", e);
    }
    return new RawBsonDocument(document);
  }

  private static int createIndexes(MongoCollection<org.bson.Document> collection, Path metadata)
      throws IOException {
    if (!Files.exists(metadata)) {
      return 0;
    }
    BsonDocument parsed = BsonDocument.parse(Files.readString(metadata, StandardCharsets.UTF_8));
    int created = 0;
    for (var value : parsed.getArray("indexes", new BsonArray())) {
      BsonDocument index = value.asDocument();
      String name = index.getString("name", new BsonString("")).getValue();
      if ("_id_".equals(name)) {
        continue;
      }
      IndexOptions options = new IndexOptions().name(name);
      if (index.getBoolean("unique", org.bson.BsonBoolean.FALSE).getValue()) {
        options.unique(true);
      }
      if (index.containsKey("expireAfterSeconds")) {
        options.expireAfter(
            index.get("expireAfterSeconds").asNumber().longValue(),
            java.util.concurrent.TimeUnit.SECONDS);
      }
      collection.createIndex(index.getDocument("key"), options);
      created++;
    }
    return created;
  }
}
