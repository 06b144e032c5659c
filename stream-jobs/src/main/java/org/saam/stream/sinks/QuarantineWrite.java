package org.saam.stream.sinks;

import com.mongodb.client.model.ReplaceOneModel;
import com.mongodb.client.model.ReplaceOptions;
import com.mongodb.client.model.WriteModel;
import org.apache.flink.connector.mongodb.sink.writer.context.MongoSinkContext;
import org.apache.flink.connector.mongodb.sink.writer.serializer.MongoSerializationSchema;
import org.bson.BsonBoolean;
import org.bson.BsonDateTime;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.bson.BsonInt64;
import org.bson.BsonNull;
import org.bson.BsonString;
import org.saam.stream.records.RejectedMessage;

/**
 * Writes a refused payload or reading to the {@code quarantine} collection, keyed by its
 * deterministic id so that a redelivered message is quarantined once. The raw text is bounded by
 * the parser ({@code QuarantineText}); the entry also carries the message's full size and SHA-256,
 * and whether the text was cut.
 */
public final class QuarantineWrite implements MongoSerializationSchema<RejectedMessage> {
  private static final long serialVersionUID = 1L;

  @Override
  public WriteModel<BsonDocument> serialize(RejectedMessage rejected, MongoSinkContext context) {
    BsonDocument document =
        new BsonDocument()
            .append("_id", new BsonString(rejected.id()))
            .append("received_at", new BsonDateTime(rejected.receivedAtMillis()))
            .append("reason", new BsonString(rejected.reason()))
            .append("detail", new BsonString(rejected.detail()))
            .append(
                "location_id",
                rejected.locationId() == null
                    ? BsonNull.VALUE
                    : new BsonString(rejected.locationId()))
            .append(
                "gateway_id",
                rejected.gatewayId() == null
                    ? BsonNull.VALUE
                    : new BsonString(rejected.gatewayId()))
            .append("seq", rejected.seq() == null ? BsonNull.VALUE : new BsonInt64(rejected.seq()))
            .append("index", new BsonInt32(rejected.index()))
            .append("raw", new BsonString(rejected.raw()))
            .append("raw_truncated", BsonBoolean.valueOf(rejected.rawTruncated()))
            .append("payload_bytes", new BsonInt32(rejected.payloadBytes()))
            .append("payload_sha256", new BsonString(rejected.payloadSha256()));
    return new ReplaceOneModel<>(
        new BsonDocument("_id", document.get("_id")), document, new ReplaceOptions().upsert(true));
  }
}
