package org.saam.bench;

import java.nio.file.Files;
import java.util.List;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.saam.stream.pipeline.Connectors;
import org.saam.stream.pipeline.SensorPipelineJob;
import org.saam.stream.pipeline.SensorPipelineOptions;

/** The pipeline benchmark's job on a local environment (the one class that needs Flink). */
final class PipelineRun {
  private PipelineRun() {}

  /** The job, built and ready: running it blocks until every message has gone through. */
  static Runnable prepare(PrebuiltMessages source, SensorPipelineOptions options, int parallelism)
      throws Exception {
    CountingSink.reset();
    Configuration conf = new Configuration();
    conf.set(TaskManagerOptions.MANAGED_MEMORY_SIZE, MemorySize.ofMebiBytes(512));
    conf.set(TaskManagerOptions.NUM_TASK_SLOTS, parallelism);
    // The production state backend (k8s/): RocksDB, incremental checkpoints to files.
    conf.setString("state.backend.type", "rocksdb");
    conf.setString("execution.checkpointing.incremental", "true");
    conf.setString(
        "execution.checkpointing.dir",
        Files.createTempDirectory("saam-bench-checkpoints-").toUri().toString());
    StreamExecutionEnvironment env =
        StreamExecutionEnvironment.createLocalEnvironment(parallelism, conf);
    SensorPipelineJob.configure(env, options);
    new SensorPipelineJob(
            source,
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
    return () -> {
      try {
        env.execute("sensor-pipeline benchmark");
      } catch (Exception e) {
        throw new IllegalStateException("the benchmark's job failed: " + e.getMessage(), e);
      }
    };
  }
}
