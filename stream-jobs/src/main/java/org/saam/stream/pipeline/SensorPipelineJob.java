package org.saam.stream.pipeline;

import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.mongodb.sink.MongoSink;
import org.apache.flink.streaming.api.CheckpointingMode;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.source.SourceFunction;
import org.apache.flink.streaming.connectors.rabbitmq.common.RMQConnectionConfig;
import org.saam.common.catalogue.SourceCatalogue;
import org.saam.stream.functions.ReadingBatchParser;
import org.saam.stream.records.MeasuredReading;
import org.saam.stream.records.RawMessage;
import org.saam.stream.records.RejectedMessage;
import org.saam.stream.sinks.MeasurementBucketWrite;
import org.saam.stream.sinks.QuarantineWrite;
import org.saam.stream.sources.QuorumQueueSource;
import org.saam.stream.sources.RawMessageDeserializer;

/**
 * The {@code sensor-pipeline} streaming job: gateway batches from the RabbitMQ quorum queue are
 * parsed and validated, valid readings go to the hourly buckets of {@code measurements}, refused
 * payloads and readings to {@code quarantine}.
 *
 * <pre>
 * read readings queue -> parse readings -+-> write measurements
 *                                        +-> write quarantine (side output)
 * </pre>
 *
 * <p>Options: see {@link SensorPipelineOptions}. Results are exactly-once although delivery is
 * at-least-once: the queue is acknowledged at checkpoints and every write is idempotent by key.
 */
@SuppressWarnings("deprecation") // SourceFunction: the RabbitMQ connector has no newer source.
public final class SensorPipelineJob {
  /** The job name shown in the Flink UI and used by {@code ./saam jobs}. */
  public static final String NAME = "sensor-pipeline";

  private final SourceFunction<RawMessage> source;
  private final Sink<MeasuredReading> measurements;
  private final Sink<RejectedMessage> quarantine;
  private final SourceCatalogue catalogue;
  private final long maxFutureMillis;

  /**
   * @param source broker messages
   * @param measurements where valid readings go
   * @param quarantine where refused payloads and readings go
   * @param catalogue the sources the pipeline accepts
   * @param maxFutureMillis how far ahead of arrival a reading's timestamp may be
   */
  public SensorPipelineJob(
      SourceFunction<RawMessage> source,
      Sink<MeasuredReading> measurements,
      Sink<RejectedMessage> quarantine,
      SourceCatalogue catalogue,
      long maxFutureMillis) {
    this.source = source;
    this.measurements = measurements;
    this.quarantine = quarantine;
    this.catalogue = catalogue;
    this.maxFutureMillis = maxFutureMillis;
  }

  /** Adds the job's operators to {@code env}. */
  public void build(StreamExecutionEnvironment env) {
    DataStream<RawMessage> messages =
        env.addSource(source, "read readings queue")
            .uid("read-readings-queue")
            // The RabbitMQ source is not parallel; scale out with more queues (see README).
            .setParallelism(1);

    SingleOutputStreamOperator<MeasuredReading> readings =
        messages
            .process(new ReadingBatchParser(catalogue, maxFutureMillis))
            .name("parse readings")
            .uid("parse-readings");

    readings.sinkTo(measurements).name("write measurements").uid("write-measurements");

    readings
        .getSideOutput(ReadingBatchParser.REJECTED)
        .sinkTo(quarantine)
        .name("write quarantine")
        .uid("write-quarantine");
  }

  /** Checkpointing as the job needs it: acknowledgements to the broker ride on checkpoints. */
  public static void configure(StreamExecutionEnvironment env, SensorPipelineOptions options) {
    env.enableCheckpointing(
        options.checkpointInterval().toMillis(), CheckpointingMode.AT_LEAST_ONCE);
  }

  /** The real source: the readings quorum queue. */
  public static SourceFunction<RawMessage> queueSource(SensorPipelineOptions options) {
    RMQConnectionConfig connection =
        new RMQConnectionConfig.Builder()
            .setHost(options.rabbitHost())
            .setPort(options.rabbitPort())
            .setVirtualHost(options.rabbitVirtualHost())
            .setUserName(options.rabbitUser())
            .setPassword(options.rabbitPassword())
            .setAutomaticRecovery(true)
            .setTopologyRecoveryEnabled(false)
            .build();
    return new QuorumQueueSource<>(
        connection, options.queue(), options.prefetch(), new RawMessageDeserializer());
  }

  /** The real measurements sink: idempotent bucket upserts. */
  public static Sink<MeasuredReading> measurementSink(SensorPipelineOptions options) {
    return MongoSink.<MeasuredReading>builder()
        .setUri(options.mongoUri())
        .setDatabase(options.mongoDatabase())
        .setCollection("measurements")
        .setBatchSize(options.sinkBatchSize())
        .setBatchIntervalMs(options.sinkBatchIntervalMs())
        .setMaxRetries(5)
        .setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE)
        .setSerializationSchema(new MeasurementBucketWrite())
        .build();
  }

  /** The real quarantine sink. */
  public static Sink<RejectedMessage> quarantineSink(SensorPipelineOptions options) {
    return MongoSink.<RejectedMessage>builder()
        .setUri(options.mongoUri())
        .setDatabase(options.mongoDatabase())
        .setCollection("quarantine")
        .setBatchSize(100)
        .setBatchIntervalMs(options.sinkBatchIntervalMs())
        .setMaxRetries(5)
        .setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE)
        .setSerializationSchema(new QuarantineWrite())
        .build();
  }

  /** The catalogue file named by the options, or the built-in one. */
  public static SourceCatalogue catalogue(SensorPipelineOptions options)
      throws java.io.IOException {
    if (options.cataloguePath() == null) {
      return SourceCatalogue.loadDefault();
    }
    try (var in =
        java.nio.file.Files.newInputStream(java.nio.file.Path.of(options.cataloguePath()))) {
      return SourceCatalogue.load(in, options.cataloguePath());
    }
  }

  public static void main(String[] args) throws Exception {
    SensorPipelineOptions options = SensorPipelineOptions.fromArgs(args, System.getenv());
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    configure(env, options);
    new SensorPipelineJob(
            queueSource(options),
            measurementSink(options),
            quarantineSink(options),
            catalogue(options),
            options.maxFutureMillis())
        .build(env);
    env.execute(NAME);
  }
}
