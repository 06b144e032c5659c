package org.saam.views.query;

import com.mongodb.client.model.Filters;
import com.mongodb.reactivestreams.client.MongoDatabase;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.bson.Document;
import org.bson.conversions.Bson;
import org.saam.common.store.FeatureRecord;
import org.saam.common.store.MeasurementBuckets;
import org.saam.servicekit.http.ProblemException;
import org.saam.servicekit.reactive.PublisherIterator;

/**
 * Count, minimum, maximum and mean per source and time bucket, computed by MongoDB's aggregation
 * pipeline (samples are unwound from the hourly buckets in the database; nothing but the results
 * comes back). Buckets are aligned to the UTC epoch: {@code P1D} buckets are UTC days.
 */
public final class SummaryReader {
  /** Most buckets one summary may have. */
  public static final long MAX_BUCKETS = 20_000;

  private static final long HOUR = 3_600_000L;

  private final MongoDatabase database;

  public SummaryReader(MongoDatabase database) {
    this.database = database;
  }

  /** One bucket of one source. */
  public record Bucket(
      String sourceId, Instant start, long count, double min, double max, double mean) {}

  public List<Bucket> summarize(ViewQuery query, Duration bucket) {
    long width = bucket.toMillis();
    long buckets = (query.to().toEpochMilli() - query.from().toEpochMilli() + width - 1) / width;
    if (buckets > MAX_BUCKETS) {
      throw ProblemException.badRequest(
          "from..to in buckets of "
              + bucket
              + " makes "
              + buckets
              + " buckets; at most "
              + MAX_BUCKETS
              + ": choose a wider bucket or a shorter range");
    }
    long from = query.from().toEpochMilli();
    long to = query.to().toEpochMilli();
    Bson owner =
        query.locationId() != null
            ? Filters.eq(MeasurementBuckets.LOCATION_ID, query.locationId())
            : Filters.eq(MeasurementBuckets.USER_ID, query.userId());
    List<Document> pipeline = new ArrayList<>();
    String collection;
    if (query.isDomainView()) {
      collection = FeatureRecord.COLLECTION;
      pipeline.add(
          new Document(
              "$match",
              Filters.and(
                  owner,
                  Filters.in(FeatureRecord.SOURCE_ID, query.sources()),
                  Filters.gte(FeatureRecord.WINDOW_START, new Date(from)),
                  Filters.lt(FeatureRecord.WINDOW_START, new Date(to)))));
      pipeline.add(
          new Document(
              "$project",
              new Document("source_id", 1)
                  .append("v", "$value")
                  .append("t", new Document("$toLong", "$" + FeatureRecord.WINDOW_START))));
    } else {
      collection = MeasurementBuckets.COLLECTION;
      pipeline.add(
          new Document(
              "$match",
              Filters.and(
                  owner,
                  Filters.in(MeasurementBuckets.SOURCE_ID, query.sources()),
                  MeasurementBuckets.hoursCovering(from, to))));
      pipeline.add(
          new Document(
              "$project",
              new Document("source_id", 1)
                  .append("s", new Document("$objectToArray", "$" + MeasurementBuckets.SAMPLES))));
      pipeline.add(new Document("$unwind", "$s"));
      pipeline.add(
          new Document(
              "$project",
              new Document("source_id", 1)
                  .append("v", "$s.v")
                  .append("t", new Document("$toLong", "$s.k"))));
      pipeline.add(
          new Document("$match", new Document("t", new Document("$gte", from).append("$lt", to))));
    }
    pipeline.add(
        new Document(
            "$project",
            new Document("source_id", 1)
                .append("v", 1)
                .append(
                    "b",
                    new Document(
                        "$subtract", List.of("$t", new Document("$mod", List.of("$t", width)))))));
    pipeline.add(
        new Document(
            "$group",
            new Document("_id", new Document("source", "$source_id").append("bucket", "$b"))
                .append("count", new Document("$sum", 1))
                .append("min", new Document("$min", "$v"))
                .append("max", new Document("$max", "$v"))
                .append("mean", new Document("$avg", "$v"))));
    List<Bucket> out = new ArrayList<>();
    try (PublisherIterator<Document> results =
        new PublisherIterator<>(database.getCollection(collection).aggregate(pipeline))) {
      while (results.hasNext()) {
        Document result = results.next();
        Document id = result.get("_id", Document.class);
        out.add(
            new Bucket(
                id.getString("source"),
                Instant.ofEpochMilli(((Number) id.get("bucket")).longValue()),
                ((Number) result.get("count")).longValue(),
                ((Number) result.get("min")).doubleValue(),
                ((Number) result.get("max")).doubleValue(),
                ((Number) result.get("mean")).doubleValue()));
      }
    }
    out.sort(
        (a, b) ->
            a.start().equals(b.start())
                ? a.sourceId().compareTo(b.sourceId())
                : a.start().compareTo(b.start()));
    return out;
  }
}
