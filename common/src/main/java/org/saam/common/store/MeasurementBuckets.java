package org.saam.common.store;

import com.mongodb.client.model.Filters;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.bson.BsonDateTime;
import org.bson.BsonDocument;
import org.bson.BsonDouble;
import org.bson.BsonNull;
import org.bson.BsonString;
import org.bson.Document;
import org.bson.conversions.Bson;

/**
 * The {@value #COLLECTION} collection (ARCHITECTURE.md, section 3): one document per location,
 * source, UTC hour and person, keyed {@code <location_id>|<source_id>|<hour epoch s>|<user_id or
 * '-'>}, holding the hour's samples as {@code samples.<epoch ms>: value} with the hour's {@code
 * min} and {@code max}. Written by the pipeline, read by the views, the backfill, erasure and the
 * stack's checks, all through this class.
 */
public final class MeasurementBuckets {
  private MeasurementBuckets() {}

  public static final String COLLECTION = "measurements";

  public static final String LOCATION_ID = "location_id";
  public static final String USER_ID = "user_id";
  public static final String SOURCE_ID = "source_id";
  public static final String DEVICE = "device";
  public static final String HOUR = "hour";
  public static final String SAMPLES = "samples";
  public static final String MIN = "min";
  public static final String MAX = "max";

  /** Written in {@code user_id}'s place in the key when no person is assigned. */
  public static final String NO_PERSON = "-";

  public static final long HOUR_MILLIS = 3_600_000L;

  /** The start of the UTC hour {@code tsMillis} falls in. */
  public static long hourStart(long tsMillis) {
    return Math.floorDiv(tsMillis, HOUR_MILLIS) * HOUR_MILLIS;
  }

  /** {@code <location_id>|<source_id>|<hour epoch s>|<user_id or '-'>}. */
  public static String id(String locationId, String sourceId, long hourStartMillis, String userId) {
    return locationId
        + "|"
        + sourceId
        + "|"
        + hourStartMillis / 1000
        + "|"
        + (userId == null ? NO_PERSON : userId);
  }

  /**
   * The write of one sample: an upsert of its bucket that sets {@code samples.<epoch ms>} and keeps
   * {@code min} and {@code max}. Applying it twice leaves the same document.
   *
   * @param filter the bucket's {@code _id}
   * @param update the upsert's update document
   */
  public record SampleUpsert(BsonDocument filter, BsonDocument update) {}

  /** The idempotent upsert of one sample into its bucket. */
  public static SampleUpsert sampleUpsert(
      String locationId,
      String userId,
      String sourceId,
      String device,
      long tsMillis,
      double value) {
    return bucketUpsert(
        locationId,
        userId,
        sourceId,
        device,
        hourStart(tsMillis),
        new long[] {tsMillis},
        new double[] {value});
  }

  /**
   * The idempotent upsert of several samples of one bucket: one write sets every {@code
   * samples.<epoch ms>} and keeps {@code min} and {@code max}; the document it leaves is the one
   * the samples' single upserts leave, in any order (a repeated timestamp keeps the later value, as
   * repeated single upserts do).
   *
   * @throws IllegalArgumentException when the arrays differ in length, are empty, or a sample lies
   *     outside the hour starting at {@code hourStartMillis}
   */
  public static SampleUpsert bucketUpsert(
      String locationId,
      String userId,
      String sourceId,
      String device,
      long hourStartMillis,
      long[] tsMillis,
      double[] values) {
    if (tsMillis.length != values.length || tsMillis.length == 0) {
      throw new IllegalArgumentException(
          "a bucket upsert needs as many values as timestamps, at least one: "
              + tsMillis.length
              + " timestamps, "
              + values.length
              + " values");
    }
    BsonDocument set =
        new BsonDocument()
            .append(LOCATION_ID, new BsonString(locationId))
            .append(USER_ID, userId == null ? BsonNull.VALUE : new BsonString(userId))
            .append(SOURCE_ID, new BsonString(sourceId))
            .append(DEVICE, new BsonString(device))
            .append(HOUR, new BsonDateTime(hourStartMillis));
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < tsMillis.length; i++) {
      if (hourStart(tsMillis[i]) != hourStartMillis) {
        throw new IllegalArgumentException(
            "sample at "
                + tsMillis[i]
                + " lies outside the bucket's hour starting at "
                + hourStartMillis);
      }
      set.append(SAMPLES + "." + tsMillis[i], new BsonDouble(values[i]));
      min = Math.min(min, values[i]);
      max = Math.max(max, values[i]);
    }
    BsonDocument update =
        new BsonDocument()
            .append("$set", set)
            .append("$min", new BsonDocument(MIN, new BsonDouble(min)))
            .append("$max", new BsonDocument(MAX, new BsonDouble(max)));
    return new SampleUpsert(
        new BsonDocument("_id", new BsonString(id(locationId, sourceId, hourStartMillis, userId))),
        update);
  }

  /** One stored sample. */
  public record Sample(long tsMillis, double value) {}

  /** A stored bucket read back, its samples in the order stored. */
  public record Bucket(
      String locationId,
      String userId,
      String sourceId,
      String device,
      long hourStartMillis,
      List<Sample> samples) {}

  /**
   * Reads a bucket document (a projection may leave fields out; they read as null or empty).
   *
   * @throws IllegalStateException naming the bucket when a sample is not {@code <epoch ms>: number}
   */
  public static Bucket read(Document document) {
    Document stored = document.get(SAMPLES, Document.class);
    List<Sample> samples = new ArrayList<>(stored == null ? 0 : stored.size());
    if (stored != null) {
      for (Map.Entry<String, Object> sample : stored.entrySet()) {
        if (!(sample.getValue() instanceof Number value)) {
          throw new IllegalStateException(
              "bucket " + document.get("_id") + ": sample " + sample.getKey() + " is not a number");
        }
        try {
          samples.add(new Sample(Long.parseLong(sample.getKey()), value.doubleValue()));
        } catch (NumberFormatException e) {
          throw new IllegalStateException(
              "bucket "
                  + document.get("_id")
                  + ": sample key '"
                  + sample.getKey()
                  + "' is not epoch milliseconds",
              e);
        }
      }
    }
    Date hour = document.getDate(HOUR);
    return new Bucket(
        document.getString(LOCATION_ID),
        document.getString(USER_ID),
        document.getString(SOURCE_ID),
        document.getString(DEVICE),
        hour == null ? 0 : hour.getTime(),
        samples);
  }

  /**
   * The buckets that can hold samples of {@code [fromMillis, toMillis)}: from the hour {@code
   * fromMillis} falls in, up to {@code toMillis}.
   */
  public static Bson hoursCovering(long fromMillis, long toMillis) {
    return Filters.and(
        Filters.gte(HOUR, new Date(hourStart(fromMillis))), Filters.lt(HOUR, new Date(toMillis)));
  }
}
