package org.saam.stream.pipeline;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.mongodb.sink.MongoSink;
import org.apache.flink.connector.mongodb.sink.writer.serializer.MongoSerializationSchema;
import org.apache.flink.streaming.api.functions.source.SourceFunction;
import org.apache.flink.streaming.connectors.rabbitmq.common.RMQConnectionConfig;
import org.saam.common.catalogue.SourceCatalogue;
import org.saam.common.realm.RealmNames;
import org.saam.common.store.FeatureRecord;
import org.saam.common.store.LocationCompleteness;
import org.saam.common.store.MeasurementBuckets;
import org.saam.common.store.QuarantineEntry;
import org.saam.stream.coaching.CoachingRules;
import org.saam.stream.people.AssignmentDirectory;
import org.saam.stream.people.RedisUserServiceDirectory;
import org.saam.stream.records.BucketSamples;
import org.saam.stream.records.RawMessage;
import org.saam.stream.sinks.CoachingEventIndex;
import org.saam.stream.sinks.CoachingEventKafkaSink;
import org.saam.stream.sinks.CoachingEventPush;
import org.saam.stream.sinks.MeasurementBucketWrite;
import org.saam.stream.sinks.ReplaceByIdWrite;
import org.saam.stream.sources.QuorumQueueSource;
import org.saam.stream.sources.RawMessageDeserializer;

/**
 * The real connectors of the pipeline, built from its options: the readings queue, the MongoDB
 * sinks of the store contract ({@code org.saam.common.store}), the coaching sinks, the assignment
 * directory, the catalogue and the coaching rules. Tests put their own in their place.
 */
@SuppressWarnings("deprecation") // SourceFunction: the RabbitMQ connector has no newer source.
public final class Connectors {
  private Connectors() {}

  /** The real source: the readings quorum queue. */
  public static SourceFunction<RawMessage> queueSource(SensorPipelineOptions options) {
    RMQConnectionConfig connection =
        new RMQConnectionConfig.Builder()
            .setHost(options.source().host())
            .setPort(options.source().port())
            .setVirtualHost(options.source().virtualHost())
            .setUserName(options.source().user())
            .setPassword(options.source().password())
            .setAutomaticRecovery(true)
            .setTopologyRecoveryEnabled(false)
            .build();
    return new QuorumQueueSource<>(
        connection,
        options.source().queue(),
        options.source().prefetch(),
        new RawMessageDeserializer());
  }

  /** The real measurements sink: idempotent bucket upserts, one per group of readings. */
  public static Sink<BucketSamples> measurementSink(SensorPipelineOptions options) {
    return mongoSink(
        options,
        MeasurementBuckets.COLLECTION,
        options.sinks().batchSize(),
        new MeasurementBucketWrite());
  }

  /** The real quarantine sink. */
  public static Sink<QuarantineEntry> quarantineSink(SensorPipelineOptions options) {
    return mongoSink(
        options,
        QuarantineEntry.COLLECTION,
        100,
        new ReplaceByIdWrite<>(QuarantineEntry::toDocument));
  }

  /** The real completeness sink. */
  public static Sink<LocationCompleteness> completenessSink(SensorPipelineOptions options) {
    return mongoSink(
        options,
        LocationCompleteness.COLLECTION,
        100,
        new ReplaceByIdWrite<>(LocationCompleteness::toDocument));
  }

  /** The real features sink: one document per person, feature and window. */
  public static Sink<FeatureRecord> featureSink(SensorPipelineOptions options) {
    return mongoSink(
        options,
        FeatureRecord.COLLECTION,
        500,
        new ReplaceByIdWrite<>(feature -> feature.toDocument(System.currentTimeMillis())));
  }

  /** The coaching stage with its real sinks, or none when {@code --coaching.enabled false}. */
  public static SensorPipelineJob.Coaching coaching(SensorPipelineOptions options)
      throws IOException {
    if (!options.coaching().enabled()) {
      return SensorPipelineJob.Coaching.none();
    }
    return new SensorPipelineJob.Coaching(
        coachingRules(options),
        List.of(
            new CoachingEventKafkaSink(
                options.coaching().kafkaBootstrap(), options.coaching().topic()),
            new CoachingEventPush(
                options.source().host(),
                options.source().port(),
                options.source().virtualHost(),
                options.source().user(),
                options.source().password()),
            new CoachingEventIndex(
                options.coaching().elasticsearchUrl(), options.coaching().index())));
  }

  /** The rules file named by the options, or the built-in rules; checked against the catalogue. */
  public static CoachingRules coachingRules(SensorPipelineOptions options) throws IOException {
    String origin =
        options.coaching().rulesPath() == null
            ? CoachingRules.DEFAULT_RESOURCE
            : options.coaching().rulesPath();
    try (InputStream in =
        options.coaching().rulesPath() == null
            ? CoachingRules.class.getResourceAsStream(CoachingRules.DEFAULT_RESOURCE)
            : Files.newInputStream(Path.of(options.coaching().rulesPath()))) {
      return CoachingRules.load(in, origin, catalogue(options));
    }
  }

  /** The real directory: Redis, then the user service, with the job's own token. */
  public static AssignmentDirectory.Factory assignmentDirectory(SensorPipelineOptions options) {
    return new RedisUserServiceDirectory.Settings(
        options.join().redisUri(),
        options.join().usersUrl(),
        options.join().realmUrl(),
        RealmNames.PIPELINE_CLIENT,
        options.join().clientSecret());
  }

  private static <T> Sink<T> mongoSink(
      SensorPipelineOptions options,
      String collection,
      int batchSize,
      MongoSerializationSchema<T> write) {
    return MongoSink.<T>builder()
        .setUri(options.sinks().mongoUri())
        .setDatabase(options.sinks().database())
        .setCollection(collection)
        .setBatchSize(batchSize)
        .setBatchIntervalMs(options.sinks().batchIntervalMs())
        .setMaxRetries(5)
        .setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE)
        .setSerializationSchema(write)
        .build();
  }

  /** The catalogue file named by the options, or the built-in one. */
  public static SourceCatalogue catalogue(SensorPipelineOptions options) throws IOException {
    return SourceCatalogue.loadFileOrDefault(options.validation().cataloguePath());
  }
}
