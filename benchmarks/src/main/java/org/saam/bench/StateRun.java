package org.saam.bench;

import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.runtime.checkpoint.CompletedCheckpointStats;
import org.apache.flink.runtime.checkpoint.TaskStateStats;
import org.apache.flink.runtime.executiongraph.AccessExecutionGraph;
import org.apache.flink.runtime.executiongraph.AccessExecutionJobVertex;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.saam.stream.pipeline.Connectors;
import org.saam.stream.pipeline.SensorPipelineJob;
import org.saam.stream.pipeline.SensorPipelineOptions;

/**
 * The state benchmark's job on a MiniCluster in this JVM (the one class of it that needs Flink):
 * RocksDB with incremental checkpoints, as in k8s/, and the checkpoint statistics Flink keeps.
 */
final class StateRun implements AutoCloseable {
  /** One completed checkpoint: full and incremental size, duration, full size by task. */
  record Checkpoint(
      long id,
      long stateBytes,
      long checkpointedBytes,
      long durationMs,
      Map<String, Long> byTask) {}

  private final MiniCluster cluster;
  private final JobID job;

  private StateRun(MiniCluster cluster, JobID job) {
    this.cluster = cluster;
    this.job = job;
  }

  static StateRun start(SensorPipelineOptions options, int parallelism, long managedMemoryMb)
      throws Exception {
    CountingSink.reset();
    Configuration conf = new Configuration();
    conf.set(TaskManagerOptions.MANAGED_MEMORY_SIZE, MemorySize.ofMebiBytes(managedMemoryMb));
    conf.set(TaskManagerOptions.NUM_TASK_SLOTS, parallelism);
    conf.set(RestOptions.BIND_PORT, "0"); // any free port: a session cluster may hold 8081
    conf.setString("state.backend.type", "rocksdb");
    conf.setString("execution.checkpointing.incremental", "true");
    conf.setString(
        "execution.checkpointing.dir",
        Files.createTempDirectory("saam-bench-state-").toUri().toString());
    MiniCluster cluster =
        new MiniCluster(
            new MiniClusterConfiguration.Builder()
                .setConfiguration(conf)
                .setNumTaskManagers(1)
                .setNumSlotsPerTaskManager(parallelism)
                .build());
    cluster.start();
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
    env.setParallelism(parallelism);
    SensorPipelineJob.configure(env, options);
    new SensorPipelineJob(
            new DayByDayMessages(),
            new CountingSink<>(CountingSink.MEASUREMENTS),
            new CountingSink<>(CountingSink.QUARANTINE),
            new CountingSink<>(CountingSink.COMPLETENESS),
            new CountingSink<>(CountingSink.FEATURES),
            Connectors.catalogue(options),
            new StaticAssignments(),
            options,
            new SensorPipelineJob.Coaching(
                Connectors.coachingRules(options),
                List.of(new CountingSink<>(CountingSink.COACHING))))
        .build(env);
    JobGraph graph = env.getStreamGraph().getJobGraph();
    JobID job = cluster.submitJob(graph).get().getJobID();
    return new StateRun(cluster, job);
  }

  /** The newest completed checkpoint, or null before the first. */
  Checkpoint latest() throws Exception {
    AccessExecutionGraph graph = cluster.getExecutionGraph(job).get();
    CompletedCheckpointStats stats =
        graph.getCheckpointStatsSnapshot().getHistory().getLatestCompletedCheckpoint();
    if (stats == null) {
      return null;
    }
    Map<String, Long> byTask = new LinkedHashMap<>();
    for (AccessExecutionJobVertex vertex : graph.getVerticesTopologically()) {
      TaskStateStats task = stats.getTaskStateStats(vertex.getJobVertexId());
      if (task != null) {
        byTask.put(vertex.getName(), task.getStateSize());
      }
    }
    return new Checkpoint(
        stats.getCheckpointId(),
        stats.getStateSize(),
        stats.getCheckpointedSize(),
        stats.getEndToEndDuration(),
        byTask);
  }

  @Override
  public void close() throws Exception {
    try {
      cluster.cancelJob(job).get();
    } finally {
      cluster.close();
    }
  }
}
