package org.saam.stream.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.saam.ingestion.gateway.GatewayPublisher;
import org.saam.ingestion.testing.LocalStackEndpoints;
import org.saam.ingestion.testing.TestReadingsQueue;
import org.saam.stream.pipeline.SensorPipelineOptions;
import org.saam.stream.records.BucketSamples;

/**
 * The test bed every pipeline integration test shares, on the one local stack: per test a fresh
 * readings queue with its own homes, a fresh database and a gateway publisher; the jobs the test
 * starts are cancelled and everything is closed after it, in reverse order. Register it with
 * {@code @RegisterExtension final PipelineTestBed bed = new PipelineTestBed();} next to {@link
 * #miniCluster()} (one MiniCluster per test class).
 */
public final class PipelineTestBed implements BeforeEachCallback, AfterEachCallback {
  private final int homes;
  private final Deque<AutoCloseable> toClose = new ArrayDeque<>();
  private final List<JobClient> jobs = new ArrayList<>();
  private TestReadingsQueue queue;
  private MeasurementStore store;
  private GatewayPublisher gateway;

  /** A bed whose queue takes the readings of one home. */
  public PipelineTestBed() {
    this(1);
  }

  /** A bed whose queue takes the readings of {@code homes} homes. */
  public PipelineTestBed(int homes) {
    this.homes = homes;
  }

  /**
   * The MiniCluster of a test class: one TaskManager with a slot per subtask, and the state backend
   * of production (k8s/): RocksDB with incremental checkpoints to files.
   */
  public static MiniClusterExtension miniCluster() {
    return new MiniClusterExtension(
        new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1)
            .setNumberSlotsPerTaskManager(PipelineRunner.PARALLELISM)
            .setConfiguration(productionStateBackend())
            .build());
  }

  /** RocksDB, incremental checkpoints in a fresh temporary folder: the keys k8s/ sets. */
  public static Configuration productionStateBackend() {
    Configuration conf = new Configuration();
    conf.setString("state.backend.type", "rocksdb");
    conf.setString("execution.checkpointing.incremental", "true");
    // A MiniCluster's default 128 MB of managed memory, shared by every RocksDB instance of a
    // slot, makes RocksDB flush at almost every write (benchmarks/RESULTS.md).
    conf.setString("taskmanager.memory.managed.size", "512m");
    try {
      Path dir = Files.createTempDirectory("saam-checkpoints-");
      conf.setString("execution.checkpointing.dir", dir.toUri().toString());
    } catch (IOException e) {
      throw new UncheckedIOException("no temporary folder for checkpoints", e);
    }
    return conf;
  }

  @Override
  public void beforeEach(ExtensionContext context) throws Exception {
    queue = TestReadingsQueue.declare(homes);
    toClose.push(queue);
    store = MeasurementStore.fresh();
    toClose.push(store);
    gateway = LocalStackEndpoints.simulatorPublisher();
    toClose.push(gateway);
  }

  @Override
  public void afterEach(ExtensionContext context) throws Exception {
    Exception first = null;
    for (JobClient job : jobs) {
      try {
        if (!job.getJobStatus().get().isGloballyTerminalState()) {
          // Ended before the queue is deleted: a closing consumer would find it gone.
          PipelineRunner.cancelAndAwait(job);
        }
      } catch (Exception e) {
        first = keep(first, e);
      }
    }
    jobs.clear();
    while (!toClose.isEmpty()) {
      try {
        toClose.pop().close();
      } catch (Exception e) {
        first = keep(first, e);
      }
    }
    if (first != null) {
      throw first;
    }
  }

  private static Exception keep(Exception first, Exception next) {
    if (first == null) {
      return next;
    }
    first.addSuppressed(next);
    return first;
  }

  /** Closes {@code resource} after the test, before the queue, store and gateway. */
  public <T extends AutoCloseable> T closeAfter(T resource) {
    toClose.push(resource);
    return resource;
  }

  public TestReadingsQueue queue() {
    return queue;
  }

  public MeasurementStore store() {
    return store;
  }

  public GatewayPublisher gateway() {
    return gateway;
  }

  /** The pipeline's options for this test's queue and database, with fast checkpoints. */
  public SensorPipelineOptions.Builder options() {
    return PipelineRunner.options(queue.name(), store.databaseName());
  }

  /** Starts the pipeline and waits until every task runs; it is cancelled after the test. */
  public JobClient start(MiniCluster cluster, SensorPipelineOptions options) throws Exception {
    return track(PipelineRunner.start(cluster, options));
  }

  /** {@link #start} with the measurement sink wrapped and the environment adjusted. */
  public JobClient start(
      MiniCluster cluster,
      SensorPipelineOptions options,
      Function<Sink<BucketSamples>, Sink<BucketSamples>> wrapMeasurementSink,
      UnaryOperator<StreamExecutionEnvironment> configure)
      throws Exception {
    return track(PipelineRunner.start(cluster, options, wrapMeasurementSink, configure));
  }

  /** Cancels {@code job} after the test unless it has ended. */
  public JobClient track(JobClient job) {
    jobs.add(job);
    return job;
  }
}
