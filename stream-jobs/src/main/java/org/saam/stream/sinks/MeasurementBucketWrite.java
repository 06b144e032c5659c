package org.saam.stream.sinks;

import com.mongodb.client.model.UpdateOneModel;
import com.mongodb.client.model.UpdateOptions;
import com.mongodb.client.model.WriteModel;
import org.apache.flink.connector.mongodb.sink.writer.context.MongoSinkContext;
import org.apache.flink.connector.mongodb.sink.writer.serializer.MongoSerializationSchema;
import org.bson.BsonDateTime;
import org.bson.BsonDocument;
import org.bson.BsonDouble;
import org.bson.BsonNull;
import org.bson.BsonString;
import org.saam.stream.records.MeasuredReading;

/**
 * Writes a reading into its hourly bucket of the {@code measurements} collection (ARCHITECTURE.md,
 * section 3). The write is an upsert that {@code $set}s {@code samples.<epoch ms>} and keeps {@code
 * min} and {@code max} with {@code $min}/{@code $max}: applying it twice leaves the same document,
 * so replays after a failure change nothing.
 */
public final class MeasurementBucketWrite implements MongoSerializationSchema<MeasuredReading> {
  private static final long serialVersionUID = 1L;

  /** Written in {@code user_id}'s place in the key when no person is assigned. */
  public static final String NO_PERSON = "-";

  private static final long HOUR_MILLIS = 3_600_000L;

  @Override
  public WriteModel<BsonDocument> serialize(MeasuredReading reading, MongoSinkContext context) {
    long hourStart = Math.floorDiv(reading.tsMillis(), HOUR_MILLIS) * HOUR_MILLIS;
    BsonDocument set =
        new BsonDocument()
            .append("location_id", new BsonString(reading.locationId()))
            .append(
                "user_id",
                reading.userId() == null ? BsonNull.VALUE : new BsonString(reading.userId()))
            .append("source_id", new BsonString(reading.sourceId()))
            .append("device", new BsonString(reading.device()))
            .append("hour", new BsonDateTime(hourStart))
            .append("samples." + reading.tsMillis(), new BsonDouble(reading.value()));
    BsonDocument update =
        new BsonDocument()
            .append("$set", set)
            .append("$min", new BsonDocument("min", new BsonDouble(reading.value())))
            .append("$max", new BsonDocument("max", new BsonDouble(reading.value())));
    return new UpdateOneModel<>(
        new BsonDocument("_id", new BsonString(bucketId(reading, hourStart))),
        update,
        new UpdateOptions().upsert(true));
  }

  /** {@code <location_id>|<source_id>|<hour epoch s>|<user_id or '-'>}. */
  public static String bucketId(MeasuredReading reading, long hourStartMillis) {
    return reading.locationId()
        + "|"
        + reading.sourceId()
        + "|"
        + hourStartMillis / 1000
        + "|"
        + (reading.userId() == null ? NO_PERSON : reading.userId());
  }
}
