package org.saam.stream.backfill;

import java.time.Instant;
import java.util.List;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.java.utils.ParameterTool;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.saam.common.store.FeatureRecord;
import org.saam.common.store.QuarantineEntry;
import org.saam.stream.functions.JoinFailureRouter;
import org.saam.stream.people.AssignmentDirectory;
import org.saam.stream.pipeline.Connectors;
import org.saam.stream.pipeline.SensorPipelineOptions;
import org.saam.stream.pipeline.SharedStages;
import org.saam.stream.records.MeasuredReading;

/**
 * The {@code feature-backfill} batch job: recomputes the features of stored measurements with the
 * same functions as the streaming job, for readings that came too late for it and after a change of
 * the feature definitions ({@code algo_version}).
 *
 * <pre>
 * hours of the range -> read measurement buckets -> event time -> join person
 *     -> compute features (the streaming operator, run in batch mode) -> windows of the range
 *     -> write features
 * </pre>
 *
 * <p>Readings are joined to people again with the current assignments (so a corrected assignment
 * takes effect); feature documents are replaced by id, so running a backfill twice changes nothing
 * and the streaming job's documents for the same windows are overwritten with the same values.
 *
 * <p>Arguments: {@code --from 2026-11-02 --to 2026-11-09 [--location L]} and the connection options
 * of {@link SensorPipelineOptions} (mongo, redis, users, keycloak).
 */
public final class FeatureBackfillJob {
  /** The job name shown in the Flink UI. */
  public static final String NAME = "feature-backfill";

  private final BackfillRange range;
  private final SensorPipelineOptions options;
  private final AssignmentDirectory.Factory assignments;
  private final Sink<FeatureRecord> features;

  public FeatureBackfillJob(
      BackfillRange range,
      SensorPipelineOptions options,
      AssignmentDirectory.Factory assignments,
      Sink<FeatureRecord> features) {
    this.range = range;
    this.options = options;
    this.assignments = assignments;
    this.features = features;
  }

  /** Adds the job's operators to {@code env} and sets batch mode. */
  public void build(StreamExecutionEnvironment env) {
    env.setRuntimeMode(RuntimeExecutionMode.BATCH);
    List<Long> hours = range.hoursToRead().stream().map(Instant::toEpochMilli).toList();
    DataStream<MeasuredReading> stored =
        env.fromData(hours)
            .name("hours of the range")
            .rebalance()
            .flatMap(
                new ReadMeasurementBuckets(
                    options.sinks().mongoUri(), options.sinks().database(), range.locationId()))
            .name("read measurement buckets")
            .assignTimestampsAndWatermarks(
                WatermarkStrategy.<MeasuredReading>forMonotonousTimestamps()
                    .withTimestampAssigner((reading, previous) -> reading.tsMillis()))
            .name("event time");
    BackfillRange windows = range;
    var attributed = SharedStages.joinPerson(stored, assignments, options);
    // Stored readings passed the pipeline's checks once; a join failure here is a bug to see, so
    // the backfill fails loudly instead of writing features without the reading.
    attributed
        .getSideOutput(JoinFailureRouter.FAILED)
        .<QuarantineEntry>map(
            failed -> {
              throw new IllegalStateException(
                  "join person failed on a stored reading of "
                      + failed.locationId()
                      + ": "
                      + failed.detail());
            })
        .returns(QuarantineEntry.class)
        .name("fail on join failures")
        .sinkTo(new DiscardingSink<>())
        .name("join failures");
    SharedStages.computeFeatures(attributed, options, false, assignments.erasedPeople())
        .filter(feature -> windows.includes(feature.windowStartMillis(), feature.timeZone()))
        .name("windows of the range")
        .sinkTo(features)
        .name("write features");
  }

  /** Parses the range; the rest of the arguments are the pipeline's connection options. */
  public static BackfillRange range(String[] args) {
    ParameterTool params = ParameterTool.fromArgs(args);
    return BackfillRange.parse(params.get("from"), params.get("to"), params.get("location"));
  }

  /** The job with its real connectors (the directory and features sink of sensor-pipeline). */
  public static FeatureBackfillJob withRealConnectors(
      BackfillRange range, SensorPipelineOptions options) {
    return new FeatureBackfillJob(
        range, options, Connectors.assignmentDirectory(options), Connectors.featureSink(options));
  }

  public static void main(String[] args) throws Exception {
    BackfillRange range = range(args);
    SensorPipelineOptions options = SensorPipelineOptions.fromArgs(args, System.getenv());
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    withRealConnectors(range, options).build(env);
    env.execute(NAME + " " + range.from() + ".." + range.to());
  }
}
