package org.saam.stream.backfill;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.apache.flink.api.common.functions.RichFlatMapFunction;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.Counter;
import org.apache.flink.util.Collector;
import org.bson.Document;
import org.bson.conversions.Bson;
import org.saam.common.store.MeasurementBuckets;
import org.saam.stream.functions.PersonFeatureWindows;
import org.saam.stream.records.MeasuredReading;
import org.saam.stream.sinks.MongoDriverRelease;

/**
 * Reads the {@code measurements} buckets of one UTC hour (of one location, if asked) and emits
 * their samples as readings without a person, for the person join of the backfill. Only the sources
 * the features are computed from are read.
 */
public final class ReadMeasurementBuckets extends RichFlatMapFunction<Long, MeasuredReading> {
  private static final long serialVersionUID = 1L;

  /** The gateway id the backfill's readings carry (they come from storage, not a gateway). */
  public static final String FROM_STORAGE = "backfill";

  private final String mongoUri;
  private final String database;
  private final String locationId;

  private transient MongoClient client;
  private transient MongoCollection<Document> measurements;
  private transient Counter samplesRead;

  public ReadMeasurementBuckets(String mongoUri, String database, String locationId) {
    this.mongoUri = mongoUri;
    this.database = database;
    this.locationId = locationId;
  }

  @Override
  public void open(Configuration parameters) {
    MongoDriverRelease.registerOn(getRuntimeContext());
    client = MongoClients.create(mongoUri);
    measurements = client.getDatabase(database).getCollection(MeasurementBuckets.COLLECTION);
    samplesRead = getRuntimeContext().getMetricGroup().counter("samplesRead");
  }

  @Override
  public void flatMap(Long hourStartMillis, Collector<MeasuredReading> out) {
    List<Bson> filters = new ArrayList<>();
    filters.add(Filters.eq(MeasurementBuckets.HOUR, new Date(hourStartMillis)));
    filters.add(Filters.in(MeasurementBuckets.SOURCE_ID, PersonFeatureWindows.SOURCES));
    if (locationId != null) {
      filters.add(Filters.eq(MeasurementBuckets.LOCATION_ID, locationId));
    }
    for (Document document : measurements.find(Filters.and(filters))) {
      MeasurementBuckets.Bucket bucket = MeasurementBuckets.read(document);
      for (MeasurementBuckets.Sample sample : bucket.samples()) {
        out.collect(
            new MeasuredReading(
                bucket.locationId(),
                FROM_STORAGE,
                0,
                bucket.sourceId(),
                bucket.device(),
                sample.tsMillis(),
                sample.value(),
                null,
                null));
        samplesRead.inc();
      }
    }
  }

  @Override
  public void close() {
    if (client != null) {
      client.close();
    }
  }
}
