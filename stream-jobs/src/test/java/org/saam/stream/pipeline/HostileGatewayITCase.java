package org.saam.stream.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.testutils.CommonTestUtils;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.bson.Document;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.saam.common.catalogue.SourceCatalogue;
import org.saam.common.codec.ReadingBatchCodec;
import org.saam.common.records.Reading;
import org.saam.common.records.ReadingBatch;
import org.saam.ingestion.gateway.DemoHomes;
import org.saam.ingestion.gateway.GatewayPublisher;
import org.saam.ingestion.testing.LocalStackEndpoints;
import org.saam.stream.testing.PipelineRunner;
import org.saam.stream.testing.PipelineTestBed;

/**
 * A hostile gateway against the real broker and {@code sensor-pipeline} on a MiniCluster: many
 * kinds of bad messages interleaved with good ones. The job never restarts, every good reading is
 * stored once, every bad message or reading is in quarantine with its specific reason, a flood of
 * one source is cut at the catalogue's rate, and a message over the broker's limit never arrives.
 */
class HostileGatewayITCase {
  private static final Instant NIGHT = Instant.parse("2026-11-21T23:00:00Z");
  private static final Instant FLOOD_HOUR = Instant.parse("2026-11-20T05:00:00Z");
  private static final Instant SPARE = Instant.parse("2026-11-19T10:00:00Z");

  @RegisterExtension static final MiniClusterExtension FLINK = PipelineTestBed.miniCluster();

  @RegisterExtension final PipelineTestBed bed = new PipelineTestBed();

  private JobClient job;
  private String location;
  private String topic;
  private int spareMinute;

  @BeforeEach
  void freshQueueDatabaseAndGateway() throws Exception {
    location = bed.queue().locationPrefix() + "0001";
    topic = GatewayPublisher.topicOf(location);
  }

  @Test
  void theJobKeepsRunningUnderAHostileGatewayAndStoresEveryGoodReadingOnce(
      @InjectMiniCluster MiniCluster cluster) throws Exception {
    job = bed.start(cluster, bed.options().build());
    List<ReadingBatch> good =
        new DemoHomes(bed.queue().locationPrefix(), 1, NIGHT, Duration.ofMinutes(30), 5).batches();
    List<byte[]> hostile = new ArrayList<>();
    // Refused whole.
    hostile.add(utf8("this is not json"));
    hostile.add(new byte[] {(byte) 0xff, (byte) 0xfe, 0x00, 0x7b});
    hostile.add(utf8("[".repeat(5_000)));
    hostile.add(
        utf8(
            batchJson(
                "\"seq\":1", reading("bed.presence", "2026-11-21T23:00:00Z", "9".repeat(1200)))));
    hostile.add(utf8(batchJson("\"seq\":-1", goodReading())));
    hostile.add(utf8(batchJson("\"seq\":9223372036854775808", goodReading())));
    hostile.add(utf8(batchJson("\"seq\":2,\"seq\":3", goodReading())));
    hostile.add(
        utf8(
            batchJson("\"seq\":4", goodReading())
                .replace("\"gateway_id\":\"gw-1\"", "\"gateway_id\":\"gw.1.*\"")));
    hostile.add(
        utf8(
            batchJson("\"seq\":5", goodReading())
                .replace("\"location_id\":\"" + location + "\"", "\"location_id\":\"elsewhere\"")));
    hostile.add(utf8(batchJson("\"seq\":6", tooMany())));
    hostile.add(utf8(oversizeBatch()));
    // Refused reading by reading, each beside a good neighbour that is stored.
    hostile.add(
        utf8(
            batchJson(
                "\"seq\":7",
                reading("bed.presence", "+123456789-01-01T00:00:00Z", "1"),
                goodReading())));
    hostile.add(
        utf8(
            batchJson(
                "\"seq\":8", reading("bed.presence", "1970-01-01T00:00:00Z", "1"), goodReading())));
    hostile.add(
        utf8(
            batchJson(
                "\"seq\":9",
                reading("bed.presence", "2026-11-21T23:00:00Z", "1e400"),
                goodReading())));
    hostile.add(
        utf8(
            batchJson(
                "\"seq\":10",
                reading("bed.teleport", "2026-11-21T23:00:00Z", "1"),
                goodReading())));
    hostile.add(
        utf8(
            batchJson(
                "\"seq\":11",
                reading("bracelet.hr", "2026-11-21T23:00:00Z", "400"),
                goodReading())));
    int neighbours = 5;
    // A flood: 1,000 readings of one source in one hour, a millisecond apart.
    int limit = SourceCatalogue.loadDefault().source("bed.movement").orElseThrow().maxPerHour();
    List<ReadingBatch> flood = flood(1_000);

    int next = 0;
    for (ReadingBatch batch : good) {
      bed.gateway().publish(batch);
      if (next < hostile.size()) {
        bed.gateway().publishRaw(topic, hostile.get(next++));
      }
    }
    while (next < hostile.size()) {
      bed.gateway().publishRaw(topic, hostile.get(next++));
    }
    for (ReadingBatch batch : flood) {
      bed.gateway().publish(batch);
    }
    assertBrokerRefusesAMessageOverItsLimit();

    long goodReadings = good.stream().mapToLong(b -> b.readings().size()).sum();
    long expectedStored = goodReadings + neighbours + limit;
    CommonTestUtils.waitUntilCondition(() -> bed.store().sampleCount() >= expectedStored, 200L);
    CommonTestUtils.waitUntilCondition(
        () -> bed.store().quarantine().size() >= 16 + 1_000 - limit, 200L);
    waitForTwoMoreCheckpoints(cluster, job.getJobID());

    assertThat(bed.store().sampleCount()).isEqualTo(expectedStored);
    assertThat(bed.store().sampleCount("bed.movement"))
        .isEqualTo(countOf(good, "bed.movement") + limit);
    Map<String, Long> reasons =
        bed.store().quarantine().stream()
            .collect(
                Collectors.groupingBy(
                    d -> d.getString("reason"), TreeMap::new, Collectors.counting()));
    assertThat(reasons)
        .containsExactlyInAnyOrderEntriesOf(
            Map.ofEntries(
                Map.entry("malformed_json", 5L),
                Map.entry("bad_seq", 2L),
                Map.entry("bad_identifier", 1L),
                Map.entry("location_mismatch", 1L),
                Map.entry("too_many_readings", 1L),
                Map.entry("oversize_batch", 1L),
                Map.entry("bad_timestamp", 2L),
                Map.entry("non_finite_value", 1L),
                Map.entry("unknown_source", 1L),
                Map.entry("out_of_range", 1L),
                Map.entry("rate_exceeded", (long) (1_000 - limit))));
    assertThat(bed.store().quarantine())
        .allSatisfy(
            entry -> {
              assertThat(entry.getString("raw").length()).isLessThanOrEqualTo(256 * 1024);
              assertThat(entry.getString("detail")).isNotBlank();
              assertThat(entry.getString("payload_sha256")).hasSize(64);
            });
    Document oversize =
        bed.store().quarantine().stream()
            .filter(d -> d.getString("reason").equals("oversize_batch"))
            .findFirst()
            .orElseThrow();
    assertThat(oversize.getBoolean("raw_truncated")).isTrue();
    assertThat(oversize.getInteger("payload_bytes"))
        .isGreaterThan(ReadingBatchCodec.MAX_PAYLOAD_BYTES);
    assertThat(job.getJobStatus().get()).isEqualTo(JobStatus.RUNNING);
    assertThat(PipelineRunner.restartsOf(cluster, job.getJobID()))
        .as("restarts of the job")
        .isZero();
  }

  private void assertBrokerRefusesAMessageOverItsLimit() throws Exception {
    try (GatewayPublisher separate = LocalStackEndpoints.simulatorPublisher()) {
      byte[] huge = new byte[400 * 1024];
      java.util.Arrays.fill(huge, (byte) '{');
      IMqttDeliveryToken token = separate.publishAsync(topic, huge);
      assertThatThrownBy(() -> token.waitForCompletion(5_000)).isInstanceOf(MqttException.class);
    } catch (MqttException closedAlready) {
      // The broker may already have dropped the connection: refused all the same.
    }
  }

  private String batchJson(String seq, String... readings) {
    return "{\"gateway_id\":\"gw-1\",\"location_id\":\""
        + location
        + "\",\"sent_at\":\"2026-11-22T07:00:00Z\","
        + seq
        + ",\"readings\":["
        + String.join(",", readings)
        + "]}";
  }

  private static String reading(String source, String ts, String value) {
    return "{\"source_id\":\"" + source + "\",\"ts\":\"" + ts + "\",\"value\":" + value + "}";
  }

  /** A valid reading at a minute no other reading of the test uses. */
  private String goodReading() {
    return reading("ambient.humidity_pct", SPARE.plusSeconds(60L * spareMinute++).toString(), "40");
  }

  private static String tooMany() {
    List<String> readings = new ArrayList<>();
    for (int i = 0; i < ReadingBatchCodec.MAX_READINGS + 1; i++) {
      readings.add(reading("bed.presence", NIGHT.plusSeconds(i).toString(), "1"));
    }
    return String.join(",", readings);
  }

  private String oversizeBatch() {
    String padding = "x".repeat(ReadingBatchCodec.MAX_PAYLOAD_BYTES + 1_000);
    return batchJson("\"seq\":12,\"padding\":\"" + padding + "\"", goodReadingUnstored());
  }

  private static String goodReadingUnstored() {
    return reading("ambient.humidity_pct", "2026-11-18T10:00:00Z", "40");
  }

  private List<ReadingBatch> flood(int readings) {
    List<ReadingBatch> batches = new ArrayList<>();
    List<Reading> batch = new ArrayList<>();
    long seq = 100;
    for (int i = 0; i < readings; i++) {
      batch.add(new Reading("bed.movement", FLOOD_HOUR.plusMillis(i), 5));
      if (batch.size() == ReadingBatchCodec.MAX_READINGS) {
        batches.add(new ReadingBatch("gw-1", location, FLOOD_HOUR, seq++, batch));
        batch = new ArrayList<>();
      }
    }
    if (!batch.isEmpty()) {
      batches.add(new ReadingBatch("gw-1", location, FLOOD_HOUR, seq, batch));
    }
    return batches;
  }

  private static long countOf(List<ReadingBatch> batches, String source) {
    return batches.stream()
        .flatMap(b -> b.readings().stream())
        .filter(r -> r.sourceId().equals(source))
        .count();
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static void waitForTwoMoreCheckpoints(MiniCluster cluster, JobID jobId) throws Exception {
    long checkpoints = PipelineRunner.completedCheckpoints(cluster, jobId);
    CommonTestUtils.waitUntilCondition(
        () -> PipelineRunner.completedCheckpoints(cluster, jobId) >= checkpoints + 2, 100L);
  }
}
