package org.saam.bench;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.saam.stream.pipeline.Connectors;
import org.saam.stream.pipeline.SensorPipelineJob;
import org.saam.stream.pipeline.SensorPipelineOptions;
import org.saam.stream.records.BucketSamples;

/** The sink benchmark's job: groups from memory, rebalanced over the writers, the real sink. */
final class SinkRun {
  private SinkRun() {}

  static Runnable prepare(PrebuiltGroups source, SensorPipelineOptions options, int parallelism) {
    Configuration conf = new Configuration();
    conf.set(TaskManagerOptions.MANAGED_MEMORY_SIZE, MemorySize.ofMebiBytes(64));
    conf.set(TaskManagerOptions.NUM_TASK_SLOTS, parallelism);
    StreamExecutionEnvironment env =
        StreamExecutionEnvironment.createLocalEnvironment(parallelism, conf);
    SensorPipelineJob.configure(env, options);
    DataStream<BucketSamples> groups =
        env.addSource(source, "prebuilt groups")
            .setParallelism(1)
            .keyBy(g -> g.locationId() + "|" + g.sourceId());
    groups.sinkTo(Connectors.measurementSink(options)).name("write measurements");
    return () -> {
      try {
        env.execute("measurement sink benchmark");
      } catch (Exception e) {
        throw new IllegalStateException("the benchmark's job failed: " + e.getMessage(), e);
      }
    };
  }
}
