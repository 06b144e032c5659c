package org.saam.stream.sinks;

import com.mongodb.client.model.ReplaceOneModel;
import com.mongodb.client.model.ReplaceOptions;
import com.mongodb.client.model.WriteModel;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.connector.mongodb.sink.config.MongoWriteOptions;
import org.apache.flink.connector.mongodb.sink.writer.context.MongoSinkContext;
import org.apache.flink.connector.mongodb.sink.writer.serializer.MongoSerializationSchema;
import org.apache.flink.util.function.SerializableFunction;
import org.bson.BsonDocument;

/**
 * Writes each element's whole document (built by the store contract in {@code common}) in place of
 * the document with the same {@code _id}: the quarantine entry (deterministic id, so a redelivered
 * message is quarantined once), a location's completeness, a feature window (a recomputed window
 * replaces its document). Writing twice leaves the same document.
 */
public final class ReplaceByIdWrite<T> implements MongoSerializationSchema<T> {
  private static final long serialVersionUID = 1L;

  private final SerializableFunction<T, BsonDocument> document;

  public ReplaceByIdWrite(SerializableFunction<T, BsonDocument> document) {
    this.document = document;
  }

  @Override
  public void open(
      SerializationSchema.InitializationContext initContext,
      MongoSinkContext sinkContext,
      MongoWriteOptions options) {
    MongoDriverRelease.registerOn(sinkContext.getInitContext().getUserCodeClassLoader());
  }

  @Override
  public WriteModel<BsonDocument> serialize(T element, MongoSinkContext context) {
    BsonDocument whole = document.apply(element);
    return new ReplaceOneModel<>(
        new BsonDocument("_id", whole.get("_id")), whole, new ReplaceOptions().upsert(true));
  }
}
