package org.saam.stream.testing;

import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.testutils.CommonTestUtils;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.saam.common.realm.RealmNames;
import org.saam.ingestion.testing.LocalStackEndpoints;
import org.saam.stream.options.CoachingOptions;
import org.saam.stream.options.JoinOptions;
import org.saam.stream.options.SinkOptions;
import org.saam.stream.options.SourceOptions;
import org.saam.stream.options.ValidationOptions;
import org.saam.stream.pipeline.Connectors;
import org.saam.stream.pipeline.SensorPipelineJob;
import org.saam.stream.pipeline.SensorPipelineOptions;
import org.saam.stream.records.BucketSamples;

/** Starts sensor-pipeline on a test's MiniCluster with the test's queue and database. */
public final class PipelineRunner {
  public static final int PARALLELISM = 2;

  private PipelineRunner() {}

  /** Options for the test's queue and database, with fast checkpoints. */
  public static SensorPipelineOptions.Builder options(String queue, String database) {
    return SensorPipelineOptions.builder()
        .set(SourceOptions.HOST, LocalStackEndpoints.amqpHost())
        .set(SourceOptions.PORT, LocalStackEndpoints.amqpPort())
        .set(SourceOptions.USER, "saam-pipeline")
        .set(SourceOptions.PASSWORD, LocalStackEndpoints.pipelineBrokerPassword())
        .set(JoinOptions.CLIENT_SECRET, RealmNames.localSecret(RealmNames.PIPELINE_CLIENT))
        .set(SourceOptions.QUEUE, queue)
        .set(SourceOptions.PREFETCH, 200)
        .set(SourceOptions.CHECKPOINT_INTERVAL, 300)
        .set(SinkOptions.MONGO_URI, LocalStackEndpoints.mongoUri())
        .set(SinkOptions.DATABASE, database)
        .set(SinkOptions.BATCH_SIZE, 500)
        .set(SinkOptions.BATCH_INTERVAL, 100)
        .set(ValidationOptions.MAX_FUTURE, 7L * 24 * 3_600_000)
        .set(CoachingOptions.ENABLED, false);
  }

  /** Submits the job and waits until every task runs. */
  public static JobClient start(
      MiniCluster cluster,
      SensorPipelineOptions options,
      Function<Sink<BucketSamples>, Sink<BucketSamples>> wrapMeasurementSink,
      UnaryOperator<StreamExecutionEnvironment> configure)
      throws Exception {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(PARALLELISM);
    SensorPipelineJob.configure(env, options);
    // Tests restart fast and give up soon; the job's own back-off is for production.
    org.apache.flink.configuration.Configuration restarts =
        new org.apache.flink.configuration.Configuration();
    restarts.set(
        org.apache.flink.configuration.RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
    restarts.set(
        org.apache.flink.configuration.RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS,
        3);
    restarts.set(
        org.apache.flink.configuration.RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY,
        java.time.Duration.ofMillis(200));
    env.configure(restarts);
    configure.apply(env);
    new SensorPipelineJob(
            Connectors.queueSource(options),
            wrapMeasurementSink.apply(Connectors.measurementSink(options)),
            Connectors.quarantineSink(options),
            Connectors.completenessSink(options),
            Connectors.featureSink(options),
            Connectors.catalogue(options),
            Connectors.assignmentDirectory(options),
            options,
            Connectors.coaching(options))
        .build(env);
    JobClient client = env.executeAsync(SensorPipelineJob.NAME);
    CommonTestUtils.waitForAllTaskRunning(cluster, client.getJobID(), false);
    return client;
  }

  public static JobClient start(MiniCluster cluster, SensorPipelineOptions options)
      throws Exception {
    return start(cluster, options, Function.identity(), env -> env);
  }

  /** Checkpoints the job has completed so far. */
  public static long completedCheckpoints(MiniCluster cluster, JobID jobId) throws Exception {
    return cluster
        .getExecutionGraph(jobId)
        .get()
        .getCheckpointStatsSnapshot()
        .getCounts()
        .getNumberOfCompletedCheckpoints();
  }

  /** How often the job's tasks were restarted (the attempt number of its first task). */
  public static long restartsOf(MiniCluster cluster, JobID jobId) throws Exception {
    return cluster
        .getExecutionGraph(jobId)
        .get()
        .getAllExecutionVertices()
        .iterator()
        .next()
        .getCurrentExecutionAttempt()
        .getAttemptNumber();
  }

  /**
   * Cancels the job and waits until it has ended. {@link JobClient#cancel()} returns once the
   * cluster has accepted the request, while the tasks are still closing: the queue consumer still
   * holds the messages it has not acknowledged, and hands them back to the queue only when its
   * channel closes. A test that purges the queue or starts the next job must wait for this.
   */
  public static void cancelAndAwait(JobClient job) throws Exception {
    job.cancel().get();
    waitAtMost(
        java.time.Duration.ofSeconds(60),
        "job " + job.getJobID() + " to end after cancel",
        () -> job.getJobStatus().get().isGloballyTerminalState());
  }

  /** A condition that must become true within a time limit, else the test fails saying what. */
  @FunctionalInterface
  public interface Condition {
    boolean holds() throws Exception;
  }

  /**
   * Waits until {@code condition} holds; fails (instead of hanging the build) after {@code limit}.
   */
  public static void waitAtMost(java.time.Duration limit, String what, Condition condition)
      throws Exception {
    long deadline = System.nanoTime() + limit.toNanos();
    while (!condition.holds()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("waited " + limit.toSeconds() + " s for " + what);
      }
      Thread.sleep(100);
    }
  }
}
