package org.saam.stream.backfill;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.RichFlatMapFunction;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.Counter;
import org.apache.flink.util.Collector;
import org.bson.Document;
import org.bson.conversions.Bson;
import org.saam.stream.functions.PersonFeatureWindows;
import org.saam.stream.records.MeasuredReading;

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
    client = MongoClients.create(mongoUri);
    measurements = client.getDatabase(database).getCollection("measurements");
    samplesRead = getRuntimeContext().getMetricGroup().counter("samplesRead");
  }

  @Override
  public void flatMap(Long hourStartMillis, Collector<MeasuredReading> out) {
    List<Bson> filters = new ArrayList<>();
    filters.add(Filters.eq("hour", new Date(hourStartMillis)));
    filters.add(Filters.in("source_id", PersonFeatureWindows.SOURCES));
    if (locationId != null) {
      filters.add(Filters.eq("location_id", locationId));
    }
    for (Document bucket : measurements.find(Filters.and(filters))) {
      Document samples = bucket.get("samples", Document.class);
      if (samples == null) {
        continue;
      }
      for (Map.Entry<String, Object> sample : samples.entrySet()) {
        out.collect(
            new MeasuredReading(
                bucket.getString("location_id"),
                FROM_STORAGE,
                0,
                bucket.getString("source_id"),
                bucket.getString("device"),
                Long.parseLong(sample.getKey()),
                ((Number) sample.getValue()).doubleValue(),
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
