package org.saam.stream.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.saam.common.records.Reading;
import org.saam.common.records.ReadingBatch;
import org.saam.ingestion.gateway.DemoHomes;
import org.saam.ingestion.gateway.GatewayPublisher;
import org.saam.stream.records.BucketSamples;
import org.saam.stream.testing.FailOnceAfterCheckpointSink;
import org.saam.stream.testing.JobMetrics;
import org.saam.stream.testing.PipelineRunner;
import org.saam.stream.testing.PipelineTestBed;

/**
 * The walking skeleton through real parts: gateway batches over MQTT into RabbitMQ, the job on a
 * MiniCluster with parallelism 2, buckets in MongoDB. Each test has its own bed.queue(), location
 * and database on the shared local stack.
 */
class SensorPipelineITCase {
  private static final int PARALLELISM = 2;
  private static final Instant NIGHT = Instant.parse("2026-11-21T23:00:00Z");

  @RegisterExtension static final MiniClusterExtension FLINK = PipelineTestBed.miniCluster();

  @RegisterExtension final PipelineTestBed bed = new PipelineTestBed();

  private JobClient job;

  @Test
  void storesEveryPublishedReadingExactlyOnceEvenWhenTheBatchesArePublishedTwice(
      @InjectMiniCluster MiniCluster cluster) throws Exception {
    List<ReadingBatch> batches = homeBatches(Duration.ofMinutes(90));
    long readings = readingCount(batches);
    job = startPipeline(cluster, Function.identity());

    publishShuffled(batches);
    waitForSamples(readings);
    // What the operators' page and the alert rules read: every stored reading counted once.
    awaitMetricAtLeast(cluster, "readings_stored_total", readings);
    awaitMetricAtLeast(cluster, "e2e_lag_seconds_count", readings);
    awaitMetricAtLeast(cluster, "readings_in_total", readings);

    publishShuffled(batches);
    publishMarkerAndWaitForIt(cluster);
    assertThat(bed.store().sampleCount()).isEqualTo(readings + 1);
    assertThat(bed.store().sampleCount("bed.presence")).isEqualTo(90);
  }

  @Test
  void writesHourlyBucketsKeyedByLocationSourceAndHour(@InjectMiniCluster MiniCluster cluster)
      throws Exception {
    List<ReadingBatch> batches = homeBatches(Duration.ofMinutes(90));
    job = startPipeline(cluster, Function.identity());

    publishShuffled(batches);
    waitForSamples(readingCount(batches));

    String location = bed.queue().locationPrefix() + "0001";
    Document bucket =
        bed.store().buckets().stream()
            .filter(b -> b.getString("_id").equals(location + "|bed.presence|1795302000|-"))
            .findFirst()
            .orElseThrow();
    assertThat(bucket.getString("device")).isEqualTo("microhub_bed");
    assertThat(bucket.get("samples", Document.class)).hasSize(60);
    assertThat(bucket.getDouble("min")).isEqualTo(0.0);
    assertThat(bucket.getDouble("max")).isEqualTo(1.0);
    assertThat(bed.store().buckets())
        .extracting(b -> b.getString("source_id"))
        .containsOnly("bed.presence", "bed.movement", "bracelet.steps", "ambient.temperature_c");
  }

  @Test
  void keepsRunningAndQuarantinesMessagesThatAreNotJson(@InjectMiniCluster MiniCluster cluster)
      throws Exception {
    job = startPipeline(cluster, Function.identity());
    String topic = GatewayPublisher.topicOf(bed.queue().locationPrefix() + "0001");

    bed.gateway().publishRaw(topic, "this is not json".getBytes(StandardCharsets.UTF_8));
    bed.gateway().publishRaw(topic, new byte[] {(byte) 0xff, (byte) 0xfe, 0x00});
    List<ReadingBatch> batches = homeBatches(Duration.ofMinutes(10));
    publishShuffled(batches);

    waitForSamples(readingCount(batches));
    assertThat(job.getJobStatus().get()).isEqualTo(JobStatus.RUNNING);
    PipelineRunner.waitAtMost(
        Duration.ofMinutes(1), "2 quarantine entries", () -> bed.store().quarantine().size() == 2);
    assertThat(bed.store().quarantine())
        .extracting(d -> d.getString("reason"))
        .containsOnly("malformed_json");
    assertThat(bed.store().quarantine())
        .extracting(d -> d.getString("raw"))
        .contains("this is not json");
  }

  @Test
  void quarantinesBatchWhoseLocationDiffersFromTopic(@InjectMiniCluster MiniCluster cluster)
      throws Exception {
    job = startPipeline(cluster, Function.identity());
    String ownLocation = bed.queue().locationPrefix() + "0001";
    ReadingBatch foreign =
        new ReadingBatch(
            "gw-x",
            bed.queue().locationPrefix() + "0002",
            NIGHT,
            1,
            List.of(new Reading("bed.presence", NIGHT, 1)));

    bed.gateway()
        .publishRaw(
            GatewayPublisher.topicOf(ownLocation),
            new org.saam.common.codec.ReadingBatchCodec().encode(foreign));
    publishMarkerAndWaitForIt(cluster);

    assertThat(bed.store().sampleCount()).isEqualTo(1);
    assertThat(bed.store().quarantine())
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.getString("reason")).isEqualTo("location_mismatch");
              assertThat(d.getString("location_id")).isEqualTo(ownLocation);
            });
  }

  @Test
  void losesAndDuplicatesNothingWhenTheSinkFailsAfterACheckpoint(
      @InjectMiniCluster MiniCluster cluster) throws Exception {
    List<ReadingBatch> batches = homeBatches(Duration.ofMinutes(240));
    long readings = readingCount(batches);
    // The writer takes groups of one bucket's readings: a batch of a home is a handful of them.
    job = startPipeline(cluster, sink -> new FailOnceAfterCheckpointSink<>(sink, 5));

    for (ReadingBatch batch : batches) {
      bed.gateway().publish(batch);
      Thread.sleep(50); // spread the batches over several checkpoints
    }
    waitForSamples(readings);

    assertThat(bed.store().sampleCount()).isEqualTo(readings);
    PipelineRunner.waitAtMost(
        Duration.ofMinutes(1),
        "the injected failure and the restart",
        () -> PipelineRunner.restartsOf(cluster, job.getJobID()) > 0);
    assertThat(bed.store().sampleCount()).isEqualTo(readings);
  }

  // ---------------------------------------------------------------------------------------------

  private JobClient startPipeline(
      MiniCluster cluster, Function<Sink<BucketSamples>, Sink<BucketSamples>> wrapSink)
      throws Exception {
    return bed.start(cluster, bed.options().build(), wrapSink, env -> env);
  }

  private List<ReadingBatch> homeBatches(Duration span) {
    return new DemoHomes(bed.queue().locationPrefix(), 1, NIGHT, span, 11).batches();
  }

  private static long readingCount(List<ReadingBatch> batches) {
    return batches.stream().mapToLong(b -> b.readings().size()).sum();
  }

  /** Publishes in an order other than the readings' time order: late and early batches mixed. */
  private void publishShuffled(List<ReadingBatch> batches) throws Exception {
    List<ReadingBatch> shuffled = new ArrayList<>(batches);
    java.util.Collections.shuffle(shuffled, new java.util.Random(3));
    for (ReadingBatch batch : shuffled) {
      bed.gateway().publish(batch);
    }
  }

  /**
   * Waits (at most 60 s: the REST API's metric fetcher refreshes every few seconds) until the
   * pipeline metric {@code saam.<name>} reaches {@code expected}; fails naming every metric seen.
   */
  private void awaitMetricAtLeast(MiniCluster cluster, String name, long expected)
      throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    double value = JobMetrics.total(cluster, job.getJobID(), name);
    while (value < expected && System.nanoTime() < deadline) {
      Thread.sleep(500);
      value = JobMetrics.total(cluster, job.getJobID(), name);
    }
    assertThat(value)
        .as(
            "saam.%s in an operator's own group after %d readings; metrics of the job:%s",
            name, expected, JobMetrics.describe(cluster, job.getJobID()))
        .isGreaterThanOrEqualTo(expected);
  }

  private void waitForSamples(long expected) throws Exception {
    PipelineRunner.waitAtMost(
        Duration.ofMinutes(2),
        expected + " stored samples (job " + job.getJobStatus().get() + ")",
        () -> bed.store().sampleCount() >= expected);
  }

  /**
   * Publishes one marker reading after what was published before, waits until it is stored and then
   * for two more completed checkpoints: the queue delivers in order and every sink flushes on a
   * checkpoint, so everything published before the marker has then been written.
   */
  private void publishMarkerAndWaitForIt(MiniCluster cluster) throws Exception {
    String location = bed.queue().locationPrefix() + "0001";
    Instant at = Instant.parse("2026-11-20T12:00:00Z");
    bed.gateway()
        .publish(
            new ReadingBatch(
                "gw-" + location,
                location,
                at,
                999_999,
                List.of(new Reading("pmc.power_w", at, 42))));
    PipelineRunner.waitAtMost(
        Duration.ofMinutes(1),
        "the marker reading stored",
        () -> bed.store().sampleCount("pmc.power_w") == 1);
    long checkpoints = PipelineRunner.completedCheckpoints(cluster, job.getJobID());
    PipelineRunner.waitAtMost(
        Duration.ofMinutes(1),
        "two more completed checkpoints",
        () -> PipelineRunner.completedCheckpoints(cluster, job.getJobID()) >= checkpoints + 2);
  }
}
