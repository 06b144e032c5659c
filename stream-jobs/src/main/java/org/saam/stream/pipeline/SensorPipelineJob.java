package org.saam.stream.pipeline;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.streaming.api.CheckpointingMode;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.source.SourceFunction;
import org.saam.common.catalogue.SourceCatalogue;
import org.saam.common.store.FeatureRecord;
import org.saam.common.store.LocationCompleteness;
import org.saam.common.store.QuarantineEntry;
import org.saam.stream.coaching.CoachingRules;
import org.saam.stream.functions.CoachingRulesFunction;
import org.saam.stream.functions.GroupSamplesPerBucket;
import org.saam.stream.functions.JoinFailureRouter;
import org.saam.stream.functions.ReadingBatchParser;
import org.saam.stream.functions.SeqGapTracker;
import org.saam.stream.functions.SourceRateLimit;
import org.saam.stream.options.SinkOptions;
import org.saam.stream.people.AssignmentDirectory;
import org.saam.stream.records.BucketSamples;
import org.saam.stream.records.CoachingEventRecord;
import org.saam.stream.records.MeasuredReading;
import org.saam.stream.records.RawMessage;
import org.saam.stream.sinks.NamedSink;

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
  private final Sink<BucketSamples> measurements;
  private final Sink<QuarantineEntry> quarantine;
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
      Sink<BucketSamples> measurements,
      Sink<QuarantineEntry> quarantine,
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
            .process(new ReadingBatchParser(catalogue, options.validation().timestampWindow()))
            .name("parse readings")
            .uid("parse-readings");

    SingleOutputStreamOperator<MeasuredReading> limited =
        readings
            .keyBy(MeasuredReading::locationId)
            .process(new SourceRateLimit(catalogue, options.validation().rateStateTtl()))
            .name("limit source rates")
            .uid("limit-source-rates");

    DataStream<MeasuredReading> timed =
        limited
            .assignTimestampsAndWatermarks(
                WatermarkStrategy.<MeasuredReading>forBoundedOutOfOrderness(
                        options.eventTime().outOfOrderness())
                    .withTimestampAssigner((reading, previous) -> reading.tsMillis())
                    .withIdleness(options.eventTime().idleness()))
            .name("event time")
            .uid("event-time");

    SingleOutputStreamOperator<MeasuredReading> attributed =
        SharedStages.joinPerson(timed, assignments, options);

    attributed
        .transform(
            "group samples per bucket",
            TypeInformation.of(BucketSamples.class),
            new GroupSamplesPerBucket(
                options.sinks().groupMaxReadings(), SinkOptions.GROUP_FLUSH_INTERVAL_MS))
        .uid("group-samples-per-bucket")
        .sinkTo(measurements)
        .name("write measurements")
        .uid("write-measurements");

    DataStream<FeatureRecord> personFeatures =
        SharedStages.computeFeatures(attributed, options, true, assignments.erasedPeople());
    personFeatures.sinkTo(features).name("write features").uid("write-features");

    if (!coaching.sinks().isEmpty()) {
      DataStream<CoachingEventRecord> events =
          personFeatures
              .keyBy(FeatureRecord::userId)
              .process(
                  new CoachingRulesFunction(
                      coaching.rules(),
                      options.coaching().lateAfter(),
                      assignments.erasedPeople(),
                      options.eventTime().personTime().quietAfter()))
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

  private static String sinkName(Sink<CoachingEventRecord> sink) {
    return sink instanceof NamedSink named
        ? named.operatorName()
        : "coaching events to " + sink.getClass().getSimpleName();
  }

  /**
   * Checkpointing as the job needs it: acknowledgements to the broker ride on checkpoints, and
   * exactly-once (aligned) checkpoints keep the coaching state consistent with what was sent.
   */
  public static void configure(StreamExecutionEnvironment env, SensorPipelineOptions options) {
    env.enableCheckpointing(
        options.source().checkpointInterval().toMillis(), CheckpointingMode.EXACTLY_ONCE);
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

  /** The job with its real connectors. */
  public static SensorPipelineJob withRealConnectors(SensorPipelineOptions options)
      throws IOException {
    return new SensorPipelineJob(
        Connectors.queueSource(options),
        Connectors.measurementSink(options),
        Connectors.quarantineSink(options),
        Connectors.completenessSink(options),
        Connectors.featureSink(options),
        Connectors.catalogue(options),
        Connectors.assignmentDirectory(options),
        options,
        Connectors.coaching(options));
  }

  public static void main(String[] args) throws Exception {
    SensorPipelineOptions options = SensorPipelineOptions.fromArgs(args, System.getenv());
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    configure(env, options);
    withRealConnectors(options).build(env);
    env.execute(NAME);
  }
}
