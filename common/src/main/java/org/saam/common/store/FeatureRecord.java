package org.saam.common.store;

import java.util.Date;
import org.bson.BsonDateTime;
import org.bson.BsonDocument;
import org.bson.BsonDouble;
import org.bson.BsonInt32;
import org.bson.BsonNull;
import org.bson.BsonString;
import org.bson.Document;

/**
 * A feature of one person and window, as stored in {@value #COLLECTION} (ARCHITECTURE.md, section
 * 3): one document per person, feature and window, keyed {@code <user_id>|<source_id>|<window start
 * epoch s>}, so a recomputed window (late data) replaces its document.
 *
 * @param userId the person
 * @param locationId where their readings of the window came from (the last one seen)
 * @param sourceId the feature, for example {@code feature.sleep.total_sleep_min}
 * @param domain its coaching domain, for example {@code sleep}
 * @param windowStartMillis window start, epoch milliseconds
 * @param windowEndMillis window end (exclusive)
 * @param timeZone the person's zone the window was cut in
 * @param value the value, or {@code null} without data
 * @param samples readings it was computed from
 * @param coverage share of the window with data
 * @param algoVersion version of the feature definitions
 */
public record FeatureRecord(
    String userId,
    String locationId,
    String sourceId,
    String domain,
    long windowStartMillis,
    long windowEndMillis,
    String timeZone,
    Double value,
    int samples,
    double coverage,
    int algoVersion) {

  public static final String COLLECTION = "features";

  public static final String USER_ID = "user_id";
  public static final String LOCATION_ID = "location_id";
  public static final String SOURCE_ID = "source_id";
  public static final String VALUE = "value";

  /** The window's start, the time field queries range over. */
  public static final String WINDOW_START = "window.start";

  /** {@code <user_id>|<source_id>|<window start epoch s>}. */
  public String id() {
    return userId + "|" + sourceId + "|" + windowStartMillis / 1000;
  }

  /** The whole document, computed at {@code computedAtMillis}. */
  public BsonDocument toDocument(long computedAtMillis) {
    return new BsonDocument()
        .append("_id", new BsonString(id()))
        .append(USER_ID, new BsonString(userId))
        .append(LOCATION_ID, locationId == null ? BsonNull.VALUE : new BsonString(locationId))
        .append(SOURCE_ID, new BsonString(sourceId))
        .append("domain", new BsonString(domain))
        .append(
            "window",
            new BsonDocument()
                .append("start", new BsonDateTime(windowStartMillis))
                .append("end", new BsonDateTime(windowEndMillis))
                .append("tz", new BsonString(timeZone)))
        .append(VALUE, value == null ? BsonNull.VALUE : new BsonDouble(value))
        .append(
            "quality",
            new BsonDocument()
                .append("samples", new BsonInt32(samples))
                .append("coverage", new BsonDouble(coverage)))
        .append("algo_version", new BsonInt32(algoVersion))
        .append("computed_at", new BsonDateTime(computedAtMillis));
  }

  /** A stored feature document read back. */
  public static FeatureRecord read(Document document) {
    Document window = document.get("window", Document.class);
    Document quality = document.get("quality", Document.class);
    Object value = document.get(VALUE);
    return new FeatureRecord(
        document.getString(USER_ID),
        document.getString(LOCATION_ID),
        document.getString(SOURCE_ID),
        document.getString("domain"),
        millis(window.getDate("start")),
        millis(window.getDate("end")),
        window.getString("tz"),
        value instanceof Number number ? number.doubleValue() : null,
        quality == null ? 0 : ((Number) quality.get("samples")).intValue(),
        quality == null ? 0 : ((Number) quality.get("coverage")).doubleValue(),
        document.get("algo_version") instanceof Number n ? n.intValue() : 0);
  }

  private static long millis(Date date) {
    return date == null ? 0 : date.getTime();
  }
}
