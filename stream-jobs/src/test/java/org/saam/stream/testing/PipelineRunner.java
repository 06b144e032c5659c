package org.saam.stream.testing;

import java.time.Duration;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.testutils.CommonTestUtils;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.saam.ingestion.testing.LocalStackEndpoints;
import org.saam.stream.pipeline.SensorPipelineJob;
import org.saam.stream.pipeline.SensorPipelineOptions;
import org.saam.stream.records.MeasuredReading;

/** Starts sensor-pipeline on a test's MiniCluster with the test's queue and database. */
public final class PipelineRunner {
  public static final int PARALLELISM = 2;

  private PipelineRunner() {}

  /** Options for the test's queue and database, with fast checkpoints. */
  public static SensorPipelineOptions.Builder options(String queue, String database) {
    return SensorPipelineOptions.builder()
        .rabbitHost(LocalStackEndpoints.amqpHost())
        .rabbitPort(LocalStackEndpoints.amqpPort())
        .rabbitUser("saam-pipeline")
        .rabbitPassword(LocalStackEndpoints.pipelineBrokerPassword())
        .queue(queue)
        .prefetch(200)
        .mongoUri(LocalStackEndpoints.mongoUri())
        .mongoDatabase(database)
        .sinkBatchSize(500)
        .sinkBatchIntervalMs(100)
        .checkpointInterval(Duration.ofMillis(300))
        .maxFutureMillis(7L * 24 * 3_600_000)
        .coachingEnabled(false);
  }

  /** Submits the job and waits until every task runs. */
  public static JobClient start(
      MiniCluster cluster,
      SensorPipelineOptions options,
      Function<Sink<MeasuredReading>, Sink<MeasuredReading>> wrapMeasurementSink,
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
            SensorPipelineJob.queueSource(options),
            wrapMeasurementSink.apply(SensorPipelineJob.measurementSink(options)),
            SensorPipelineJob.quarantineSink(options),
            SensorPipelineJob.completenessSink(options),
            SensorPipelineJob.featureSink(options),
            SensorPipelineJob.catalogue(options),
            SensorPipelineJob.assignmentDirectory(options),
            options,
            SensorPipelineJob.coaching(options))
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
