package org.saam.stream.pipeline;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.mongodb.sink.MongoSink;
import org.apache.flink.connector.mongodb.sink.writer.serializer.MongoSerializationSchema;
import org.apache.flink.streaming.api.CheckpointingMode;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.source.SourceFunction;
import org.apache.flink.streaming.connectors.rabbitmq.common.RMQConnectionConfig;
import org.saam.common.catalogue.SourceCatalogue;
import org.saam.identity.realm.SaamRealm;
import org.saam.stream.coaching.CoachingRules;
import org.saam.stream.functions.AssignmentLookup;
import org.saam.stream.functions.CoachingRulesFunction;
import org.saam.stream.functions.JoinFailureRouter;
import org.saam.stream.functions.PersonFeatureWindows;
import org.saam.stream.functions.ReadingBatchParser;
import org.saam.stream.functions.SeqGapTracker;
import org.saam.stream.functions.SourceRateLimit;
import org.saam.stream.people.AssignmentDirectory;
import org.saam.stream.people.RedisUserServiceDirectory;
import org.saam.stream.records.CoachingEventRecord;
import org.saam.stream.records.FeatureRecord;
import org.saam.stream.records.LocationCompleteness;
import org.saam.stream.records.MeasuredReading;
import org.saam.stream.records.RawMessage;
import org.saam.stream.records.RejectedMessage;
import org.saam.stream.sinks.CoachingEventIndex;
import org.saam.stream.sinks.CoachingEventKafkaSink;
import org.saam.stream.sinks.CoachingEventPush;
import org.saam.stream.sinks.CompletenessWrite;
import org.saam.stream.sinks.FeatureWrite;
import org.saam.stream.sinks.MeasurementBucketWrite;
import org.saam.stream.sinks.QuarantineWrite;
import org.saam.stream.sources.QuorumQueueSource;
import org.saam.stream.sources.RawMessageDeserializer;

/**
 * The {@code sensor-pipeline} streaming job.
 *
 * <pre>
 * read readings queue -> parse readings -> limit source rates -> event time -> join person
 *   -> route join failures -> write measurements
 *                             |  |                                 +-> compute features -> write features
 *                             |  |                                       +-> apply coaching rules -> kafka, app, index
 *                             |  +-(refused; rate exceeded; join failed)-> write quarantine
 *                             +-(accepted batches) -> track seq gaps --> write completeness
 * </pre>
 *
 * <p>Gateway batches from the RabbitMQ quorum queue are parsed and validated; every valid reading
 * gets its event time and the person assigned to its location at that time, then goes to the hourly
 * buckets of {@code measurements}. Refused payloads and readings go to {@code quarantine},
 * per-location completeness (missing seqs) to {@code completeness}.
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
  private final Sink<LocationCompleteness> completeness;
  private final Sink<FeatureRecord> features;
  private final SourceCatalogue catalogue;
  private final AssignmentDirectory.Factory assignments;
  private final SensorPipelineOptions options;
  private final Coaching coaching;

  /**
   * The coaching stage: rules and where events go. Without sinks, no coaching operator is built.
   *
   * @param rules the rules to run
   * @param sinks Kafka, the app push, Elasticsearch (or what a test puts instead)
   */
  public record Coaching(CoachingRules rules, List<Sink<CoachingEventRecord>> sinks) {
    public Coaching {
      sinks = List.copyOf(sinks);
    }

    /** No coaching (features only). */
    public static Coaching none() {
      return new Coaching(null, List.of());
    }
  }

  /**
   * @param source broker messages
   * @param measurements where valid readings go
   * @param quarantine where refused payloads and readings go
   * @param completeness where per-location completeness goes
   * @param features where per-person features go
   * @param catalogue the sources the pipeline accepts
   * @param assignments who lives where
   * @param options validation, event-time and join settings
   * @param coaching the coaching rules and where their events go
   */
  public SensorPipelineJob(
      SourceFunction<RawMessage> source,
      Sink<MeasuredReading> measurements,
      Sink<RejectedMessage> quarantine,
      Sink<LocationCompleteness> completeness,
      Sink<FeatureRecord> features,
      SourceCatalogue catalogue,
      AssignmentDirectory.Factory assignments,
      SensorPipelineOptions options,
      Coaching coaching) {
    this.source = source;
    this.measurements = measurements;
    this.quarantine = quarantine;
    this.completeness = completeness;
    this.features = features;
    this.catalogue = catalogue;
    this.assignments = assignments;
    this.options = options;
    this.coaching = coaching;
  }

  /** Adds the job's operators to {@code env}. */
  public void build(StreamExecutionEnvironment env) {
    DataStream<RawMessage> messages =
        env.addSource(source, "read readings queue")
            .uid("read-readings-queue")
            // The RabbitMQ source is not parallel; scale out with more queues (see README).
            .setParallelism(1);

    // Keyed by home from the queue to the feature windows: one home's readings keep their order,
    // which its own event time (the newest reading seen) relies on.
    SingleOutputStreamOperator<MeasuredReading> readings =
        messages
            .keyBy(message -> String.valueOf(message.routingKey()))
            .process(new ReadingBatchParser(catalogue, options.timestampWindow()))
            .name("parse readings")
            .uid("parse-readings");

    SingleOutputStreamOperator<MeasuredReading> limited =
        readings
            .keyBy(MeasuredReading::locationId)
            .process(new SourceRateLimit(catalogue, options.rateStateTtl()))
            .name("limit source rates")
            .uid("limit-source-rates");

    DataStream<MeasuredReading> timed =
        limited
            .assignTimestampsAndWatermarks(
                WatermarkStrategy.<MeasuredReading>forBoundedOutOfOrderness(
                        options.outOfOrderness())
                    .withTimestampAssigner((reading, previous) -> reading.tsMillis())
                    .withIdleness(options.idleness()))
            .name("event time")
            .uid("event-time");

    SingleOutputStreamOperator<MeasuredReading> attributed =
        joinPerson(timed, assignments, options);

    attributed.sinkTo(measurements).name("write measurements").uid("write-measurements");

    DataStream<FeatureRecord> personFeatures = computeFeatures(attributed, options, true);
    personFeatures.sinkTo(features).name("write features").uid("write-features");

    if (!coaching.sinks().isEmpty()) {
      DataStream<CoachingEventRecord> events =
          personFeatures
              .keyBy(FeatureRecord::userId)
              .process(new CoachingRulesFunction(coaching.rules(), options.coachingLateAfter()))
              .name("apply coaching rules")
              .uid("apply-coaching-rules");
      for (Sink<CoachingEventRecord> sink : coaching.sinks()) {
        String name = sinkName(sink);
        // Coaching events are few; one writer per sink keeps ordering and the Kafka read-back
        // simple.
        events.sinkTo(sink).name(name).uid(name.replace(' ', '-')).setParallelism(1);
      }
    }

    readings
        .getSideOutput(ReadingBatchParser.REJECTED)
        .union(
            limited.getSideOutput(SourceRateLimit.REFUSED),
            attributed.getSideOutput(JoinFailureRouter.FAILED))
        .sinkTo(quarantine)
        .name("write quarantine")
        .uid("write-quarantine");

    readings
        .getSideOutput(ReadingBatchParser.BATCHES)
        .keyBy(batch -> batch.locationId())
        .process(new SeqGapTracker())
        .name("track seq gaps")
        .uid("track-seq-gaps")
        .sinkTo(completeness)
        .name("write completeness")
        .uid("write-completeness");
  }

  /**
   * The {@code join person} operator, shared with the backfill job. Readings the join failed on
   * (not an outage: see {@link AssignmentLookup}) leave on the side output {@link
   * JoinFailureRouter#FAILED}.
   */
  public static SingleOutputStreamOperator<MeasuredReading> joinPerson(
      DataStream<MeasuredReading> readings,
      AssignmentDirectory.Factory assignments,
      SensorPipelineOptions options) {
    // Ordered: a home's readings leave the join in the order they came (see build).
    return AsyncDataStream.orderedWait(
            readings,
            new AssignmentLookup(
                assignments, options.joinCacheLocations(), options.joinCacheExpiryMillis()),
            options.joinTimeoutMillis(),
            TimeUnit.MILLISECONDS,
            1000)
        .name("join person")
        .uid("join-person")
        .process(new JoinFailureRouter())
        .name("route join failures")
        .uid("route-join-failures");
  }

  /**
   * {@code readings of people -> compute features}, shared with the backfill job.
   *
   * @param perPerson each home's own clock (streaming), else the watermark (the batch backfill)
   */
  public static DataStream<FeatureRecord> computeFeatures(
      DataStream<MeasuredReading> attributed, SensorPipelineOptions options, boolean perPerson) {
    return attributed
        .filter(reading -> reading.userId() != null)
        .name("readings of people")
        .uid("readings-of-people")
        .keyBy(MeasuredReading::userId)
        .process(
            perPerson
                ? new PersonFeatureWindows(options.featureLatenessMillis(), options.personTime())
                : new PersonFeatureWindows(options.featureLatenessMillis()))
        .name("compute features")
        .uid("compute-features");
  }

  private static String sinkName(Sink<CoachingEventRecord> sink) {
    if (sink instanceof CoachingEventKafkaSink) {
      return "send coaching events to kafka";
    }
    if (sink instanceof CoachingEventPush) {
      return "push coaching events to app";
    }
    if (sink instanceof CoachingEventIndex) {
      return "index coaching events";
    }
    return "coaching events to " + sink.getClass().getSimpleName();
  }

  /**
   * Checkpointing as the job needs it: acknowledgements to the broker ride on checkpoints, and
   * exactly-once (aligned) checkpoints keep the coaching state consistent with what was sent.
   */
  public static void configure(StreamExecutionEnvironment env, SensorPipelineOptions options) {
    env.enableCheckpointing(
        options.checkpointInterval().toMillis(), CheckpointingMode.EXACTLY_ONCE);
    // Back off between restarts (1 s, 2 s, 4 s, ... up to 2 min): every restart hands the
    // unacknowledged messages back to the queue and counts a delivery, and the queue dead-letters
    // a message after 5 deliveries. Backing off keeps a short outage of a dependency from
    // dead-lettering what was in flight.
    Configuration restarts = new Configuration();
    restarts.set(RestartStrategyOptions.RESTART_STRATEGY, "exponential-delay");
    restarts.set(
        RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_INITIAL_BACKOFF,
        Duration.ofSeconds(1));
    restarts.set(
        RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_MAX_BACKOFF,
        Duration.ofMinutes(2));
    restarts.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_BACKOFF_MULTIPLIER, 2.0);
    restarts.set(
        RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_RESET_BACKOFF_THRESHOLD,
        Duration.ofMinutes(10));
    env.configure(restarts);
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
    return mongoSink(
        options, "measurements", options.sinkBatchSize(), new MeasurementBucketWrite());
  }

  /** The real quarantine sink. */
  public static Sink<RejectedMessage> quarantineSink(SensorPipelineOptions options) {
    return mongoSink(options, "quarantine", 100, new QuarantineWrite());
  }

  /** The real completeness sink. */
  public static Sink<LocationCompleteness> completenessSink(SensorPipelineOptions options) {
    return mongoSink(options, "completeness", 100, new CompletenessWrite());
  }

  /** The real features sink: one document per person, feature and window. */
  public static Sink<FeatureRecord> featureSink(SensorPipelineOptions options) {
    return mongoSink(options, "features", 500, new FeatureWrite());
  }

  /** The coaching stage with its real sinks, or none when {@code --coaching.enabled false}. */
  public static Coaching coaching(SensorPipelineOptions options) throws IOException {
    if (!options.coachingEnabled()) {
      return Coaching.none();
    }
    return new Coaching(
        coachingRules(options),
        List.of(
            new CoachingEventKafkaSink(options.kafkaBootstrap(), options.coachingTopic()),
            new CoachingEventPush(
                options.rabbitHost(),
                options.rabbitPort(),
                options.rabbitVirtualHost(),
                options.rabbitUser(),
                options.rabbitPassword()),
            new CoachingEventIndex(options.elasticsearchUrl(), options.coachingIndex())));
  }

  /** The rules file named by the options, or the built-in rules; checked against the catalogue. */
  public static CoachingRules coachingRules(SensorPipelineOptions options) throws IOException {
    String origin =
        options.coachingRulesPath() == null
            ? CoachingRules.DEFAULT_RESOURCE
            : options.coachingRulesPath();
    try (InputStream in =
        options.coachingRulesPath() == null
            ? CoachingRules.class.getResourceAsStream(CoachingRules.DEFAULT_RESOURCE)
            : Files.newInputStream(Path.of(options.coachingRulesPath()))) {
      return CoachingRules.load(in, origin, catalogue(options));
    }
  }

  /** The real directory: Redis, then the user service, with the job's own token. */
  public static AssignmentDirectory.Factory assignmentDirectory(SensorPipelineOptions options) {
    return new RedisUserServiceDirectory.Settings(
        options.redisUri(),
        options.usersUrl(),
        options.realmUrl(),
        SaamRealm.PIPELINE_CLIENT,
        options.pipelineClientSecret());
  }

  private static <T> Sink<T> mongoSink(
      SensorPipelineOptions options,
      String collection,
      int batchSize,
      MongoSerializationSchema<T> write) {
    return MongoSink.<T>builder()
        .setUri(options.mongoUri())
        .setDatabase(options.mongoDatabase())
        .setCollection(collection)
        .setBatchSize(batchSize)
        .setBatchIntervalMs(options.sinkBatchIntervalMs())
        .setMaxRetries(5)
        .setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE)
        .setSerializationSchema(write)
        .build();
  }

  /** The catalogue file named by the options, or the built-in one. */
  public static SourceCatalogue catalogue(SensorPipelineOptions options) throws IOException {
    if (options.cataloguePath() == null) {
      return SourceCatalogue.loadDefault();
    }
    try (InputStream in = Files.newInputStream(Path.of(options.cataloguePath()))) {
      return SourceCatalogue.load(in, options.cataloguePath());
    }
  }

  /** The job with its real connectors. */
  public static SensorPipelineJob withRealConnectors(SensorPipelineOptions options)
      throws IOException {
    return new SensorPipelineJob(
        queueSource(options),
        measurementSink(options),
        quarantineSink(options),
        completenessSink(options),
        featureSink(options),
        catalogue(options),
        assignmentDirectory(options),
        options,
        coaching(options));
  }

  public static void main(String[] args) throws Exception {
    SensorPipelineOptions options = SensorPipelineOptions.fromArgs(args, System.getenv());
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    configure(env, options);
    withRealConnectors(options).build(env);
    env.execute(NAME);
  }
}
