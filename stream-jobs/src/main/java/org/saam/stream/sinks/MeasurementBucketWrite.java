package org.saam.stream.sinks;

import com.mongodb.client.model.UpdateOneModel;
import com.mongodb.client.model.UpdateOptions;
import com.mongodb.client.model.WriteModel;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.connector.mongodb.sink.config.MongoWriteOptions;
import org.apache.flink.connector.mongodb.sink.writer.context.MongoSinkContext;
import org.apache.flink.connector.mongodb.sink.writer.serializer.MongoSerializationSchema;
import org.apache.flink.metrics.Counter;
import org.bson.BsonDocument;
import org.saam.common.store.MeasurementBuckets;
import org.saam.stream.metrics.PipelineMetrics;
import org.saam.stream.records.BucketSamples;

/**
 * Writes a group of readings into their hourly bucket of the {@code measurements} collection with
 * one upsert ({@link MeasurementBuckets#bucketUpsert}): applying it twice leaves the same document,
 * so replays after a failure change nothing.
 *
 * <p>Metrics ({@link PipelineMetrics}): {@code saam_readings_stored_total} and the end-to-end lag
 * histogram {@code saam_e2e_lag_seconds} (wall clock minus reading time as the group is handed to
 * the writer, per reading; the writer stores it at its next flush, at the latest at the next
 * checkpoint).
 */
public final class MeasurementBucketWrite implements MongoSerializationSchema<BucketSamples> {
  private static final long serialVersionUID = 1L;

  private transient Counter stored;
  private transient PipelineMetrics.LagHistogram lag;

  @Override
  public void open(
      SerializationSchema.InitializationContext initContext,
      MongoSinkContext sinkContext,
      MongoWriteOptions options) {
    // The writer's own group, not initContext.getMetricGroup(): Flink nests the latter in a "user"
    // group, which would put these two metrics under other names than the rest of saam_*.
    var operator = sinkContext.getInitContext().metricGroup();
    MongoDriverRelease.registerOn(sinkContext.getInitContext().getUserCodeClassLoader());
    stored = PipelineMetrics.readingsStored(operator);
    lag = PipelineMetrics.endToEndLag(operator);
  }

  @Override
  public WriteModel<BsonDocument> serialize(BucketSamples group, MongoSinkContext context) {
    if (stored != null) {
      stored.inc(group.size());
      long now = context.processTime();
      for (long ts : group.tsMillis()) {
        lag.observe((now - ts) / 1000.0);
      }
    }
    MeasurementBuckets.SampleUpsert upsert =
        MeasurementBuckets.bucketUpsert(
            group.locationId(),
            group.userId(),
            group.sourceId(),
            group.device(),
            group.hourStartMillis(),
            group.tsMillis(),
            group.values());
    return new UpdateOneModel<>(upsert.filter(), upsert.update(), new UpdateOptions().upsert(true));
  }
}
