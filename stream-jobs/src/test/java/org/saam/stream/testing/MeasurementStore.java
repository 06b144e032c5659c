package org.saam.stream.testing;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.bson.Document;
import org.saam.common.store.FeatureRecord;
import org.saam.common.store.MeasurementBuckets;
import org.saam.common.store.QuarantineEntry;
import org.saam.ingestion.testing.LocalStackEndpoints;

/** A database of one test's own on the local MongoDB-wire server, and what a user would count. */
public final class MeasurementStore implements AutoCloseable {
  private final MongoClient client;
  private final MongoDatabase database;

  private MeasurementStore(MongoClient client, MongoDatabase database) {
    this.client = client;
    this.database = database;
  }

  public static MeasurementStore fresh() {
    MongoClient client = MongoClients.create(LocalStackEndpoints.mongoUri());
    String name = "saam_it_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    return new MeasurementStore(client, client.getDatabase(name));
  }

  public String databaseName() {
    return database.getName();
  }

  /** Number of samples over all buckets of {@code measurements}. */
  public long sampleCount() {
    long samples = 0;
    for (Document bucket : database.getCollection(MeasurementBuckets.COLLECTION).find()) {
      samples += MeasurementBuckets.read(bucket).samples().size();
    }
    return samples;
  }

  /** Samples of one source, over all buckets. */
  public long sampleCount(String sourceId) {
    long samples = 0;
    for (Document bucket :
        database
            .getCollection(MeasurementBuckets.COLLECTION)
            .find(Filters.eq(MeasurementBuckets.SOURCE_ID, sourceId))) {
      samples += MeasurementBuckets.read(bucket).samples().size();
    }
    return samples;
  }

  public List<Document> buckets() {
    return database.getCollection(MeasurementBuckets.COLLECTION).find().into(new ArrayList<>());
  }

  /** Removes every feature document (to see what a backfill writes by itself). */
  public void dropFeatures() {
    database.getCollection(FeatureRecord.COLLECTION).drop();
  }

  public List<Document> features() {
    return database.getCollection(FeatureRecord.COLLECTION).find().into(new ArrayList<>());
  }

  public List<Document> quarantine() {
    return database.getCollection(QuarantineEntry.COLLECTION).find().into(new ArrayList<>());
  }

  @Override
  public void close() {
    try {
      database.drop();
    } finally {
      client.close();
    }
  }
}
