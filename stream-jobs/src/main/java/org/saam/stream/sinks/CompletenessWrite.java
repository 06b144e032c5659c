package org.saam.stream.sinks;

import com.mongodb.client.model.ReplaceOneModel;
import com.mongodb.client.model.ReplaceOptions;
import com.mongodb.client.model.WriteModel;
import org.apache.flink.connector.mongodb.sink.writer.context.MongoSinkContext;
import org.apache.flink.connector.mongodb.sink.writer.serializer.MongoSerializationSchema;
import org.bson.BsonDateTime;
import org.bson.BsonDocument;
import org.bson.BsonInt64;
import org.bson.BsonString;
import org.saam.stream.records.LocationCompleteness;

/** One document per location in {@code completeness}: its highest seq and what is missing. */
public final class CompletenessWrite implements MongoSerializationSchema<LocationCompleteness> {
  private static final long serialVersionUID = 1L;

  @Override
  public WriteModel<BsonDocument> serialize(LocationCompleteness state, MongoSinkContext context) {
    BsonDocument document =
        new BsonDocument()
            .append("_id", new BsonString(state.locationId()))
            .append("highest_seq", new BsonInt64(state.highestSeq()))
            .append("missing_batches", new BsonInt64(state.missingBatches()))
            .append("missing_sample", new BsonString(state.missingSample()))
            .append("updated_at", new BsonDateTime(state.updatedAtMillis()));
    return new ReplaceOneModel<>(
        new BsonDocument("_id", document.get("_id")), document, new ReplaceOptions().upsert(true));
  }
}
