package org.saam.stream.sinks;

import com.mongodb.client.model.ReplaceOneModel;
import com.mongodb.client.model.ReplaceOptions;
import com.mongodb.client.model.WriteModel;
import org.apache.flink.connector.mongodb.sink.writer.context.MongoSinkContext;
import org.apache.flink.connector.mongodb.sink.writer.serializer.MongoSerializationSchema;
import org.bson.BsonDateTime;
import org.bson.BsonDocument;
import org.bson.BsonDouble;
import org.bson.BsonInt32;
import org.bson.BsonNull;
import org.bson.BsonString;
import org.saam.stream.records.FeatureRecord;

/**
 * One document per person, feature and window in {@code features} (ARCHITECTURE.md, section 3),
 * keyed {@code <user_id>|<source_id>|<window start epoch s>}: a recomputed window (late data)
 * replaces its document, so the collection never holds two values for one window.
 */
public final class FeatureWrite implements MongoSerializationSchema<FeatureRecord> {
  private static final long serialVersionUID = 1L;

  @Override
  public WriteModel<BsonDocument> serialize(FeatureRecord feature, MongoSinkContext context) {
    String id =
        feature.userId() + "|" + feature.sourceId() + "|" + feature.windowStartMillis() / 1000;
    BsonDocument document =
        new BsonDocument()
            .append("_id", new BsonString(id))
            .append("user_id", new BsonString(feature.userId()))
            .append(
                "location_id",
                feature.locationId() == null
                    ? BsonNull.VALUE
                    : new BsonString(feature.locationId()))
            .append("source_id", new BsonString(feature.sourceId()))
            .append("domain", new BsonString(feature.domain()))
            .append(
                "window",
                new BsonDocument()
                    .append("start", new BsonDateTime(feature.windowStartMillis()))
                    .append("end", new BsonDateTime(feature.windowEndMillis()))
                    .append("tz", new BsonString(feature.timeZone())))
            .append(
                "value", feature.value() == null ? BsonNull.VALUE : new BsonDouble(feature.value()))
            .append(
                "quality",
                new BsonDocument()
                    .append("samples", new BsonInt32(feature.samples()))
                    .append("coverage", new BsonDouble(feature.coverage())))
            .append("algo_version", new BsonInt32(feature.algoVersion()))
            .append("computed_at", new BsonDateTime(System.currentTimeMillis()));
    return new ReplaceOneModel<>(
        new BsonDocument("_id", new BsonString(id)), document, new ReplaceOptions().upsert(true));
  }
}
