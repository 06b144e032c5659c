package org.saam.stream.functions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.doubles;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.longs;

import java.util.ArrayList;
import java.util.List;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;
import org.saam.common.store.MeasurementBuckets;
import org.saam.stream.records.BucketSamples;
import org.saam.stream.records.MeasuredReading;

class GroupSamplesPerBucketTest {
  private static final long HOUR = 1_795_327_200_000L;

  private static MeasuredReading reading(String location, String source, long ts, double value) {
    return new MeasuredReading(location, "gw", 1, source, "microhub_bed", ts, value, null, null);
  }

  private static OneInputStreamOperatorTestHarness<MeasuredReading, BucketSamples> harness(
      int maxReadings) throws Exception {
    var harness =
        new OneInputStreamOperatorTestHarness<>(new GroupSamplesPerBucket(maxReadings, 200));
    harness.open();
    return harness;
  }

  private static List<BucketSamples> emitted(
      OneInputStreamOperatorTestHarness<MeasuredReading, BucketSamples> harness) {
    List<BucketSamples> out = new ArrayList<>();
    for (Object element : harness.getOutput()) {
      if (element instanceof StreamRecord<?> record) {
        out.add((BucketSamples) record.getValue());
      }
    }
    return out;
  }

  @Test
  void readingsOfOneBucketLeaveAsOneGroupBeforeTheCheckpointBarrier() throws Exception {
    var harness = harness(1000);
    harness.processElement(reading("loc-1", "bed.movement", HOUR + 1_000, 1), HOUR + 1_000);
    harness.processElement(reading("loc-1", "bed.movement", HOUR + 2_000, 2), HOUR + 2_000);
    harness.processElement(reading("loc-1", "bed.presence", HOUR + 2_000, 1), HOUR + 2_000);
    harness.processElement(reading("loc-1", "bed.movement", HOUR + 3_600_000, 3), HOUR);
    assertThat(emitted(harness)).as("held until something lets them go").isEmpty();

    harness.prepareSnapshotPreBarrier(1);

    List<BucketSamples> groups = emitted(harness);
    assertThat(groups).hasSize(3);
    assertThat(groups.get(0).tsMillis()).containsExactly(HOUR + 1_000, HOUR + 2_000);
    assertThat(groups.get(0).values()).containsExactly(1, 2);
    assertThat(groups.get(0).hourStartMillis()).isEqualTo(HOUR);
    assertThat(groups.get(1).sourceId()).isEqualTo("bed.presence");
    assertThat(groups.get(2).hourStartMillis()).isEqualTo(HOUR + 3_600_000);
    harness.close();
  }

  @Test
  void groupsAlsoLeaveAtTheLimitAfterTheFlushIntervalBeforeAWatermarkAndAtTheEnd()
      throws Exception {
    var harness = harness(3);
    harness.setProcessingTime(0);
    for (int i = 0; i < 3; i++) {
      harness.processElement(reading("loc-1", "bed.movement", HOUR + i, i), HOUR);
    }
    assertThat(emitted(harness)).as("the limit").hasSize(1);

    harness.processElement(reading("loc-1", "bed.movement", HOUR + 10, 10), HOUR);
    harness.setProcessingTime(199);
    assertThat(emitted(harness)).hasSize(1);
    harness.setProcessingTime(200);
    assertThat(emitted(harness)).as("the flush interval").hasSize(2);

    harness.processElement(reading("loc-1", "bed.movement", HOUR + 20, 20), HOUR);
    harness.processWatermark(new Watermark(HOUR + 20));
    assertThat(harness.getOutput())
        .as("the group goes before the watermark")
        .last()
        .isEqualTo(new Watermark(HOUR + 20));
    assertThat(emitted(harness)).hasSize(3);

    harness.processElement(reading("loc-1", "bed.movement", HOUR + 30, 30), HOUR);
    harness.getOperator().finish();
    assertThat(emitted(harness)).as("the end of input").hasSize(4);
    harness.close();
  }

  private static Gen<List<MeasuredReading>> readings() {
    Gen<MeasuredReading> one =
        Generate.pick(List.of("loc-1", "loc-2"))
            .zip(
                Generate.pick(List.of("bed.movement", "bed.presence", "room.motion")),
                longs().between(HOUR - 3_600_000, HOUR + 7_200_000),
                doubles().between(-100, 100),
                GroupSamplesPerBucketTest::reading);
    return lists().of(one).ofSizeBetween(0, 300);
  }

  @Test
  void everyReadingLeavesOnceInAGroupOfItsOwnBucketWhateverTheLimit() {
    qt().withExamples(200)
        .forAll(readings(), integers().between(1, 50))
        .checkAssert(
            (input, limit) -> {
              try {
                leavesOnce(input, limit);
              } catch (Exception e) {
                throw new AssertionError(e);
              }
            });
  }

  private void leavesOnce(List<MeasuredReading> input, int limit) throws Exception {
    var harness = harness(limit);
    for (MeasuredReading r : input) {
      harness.processElement(r, r.tsMillis());
    }
    harness.prepareSnapshotPreBarrier(1);

    List<String> out = new ArrayList<>();
    for (BucketSamples group : emitted(harness)) {
      assertThat(group.size()).isBetween(1, limit);
      for (int i = 0; i < group.size(); i++) {
        assertThat(MeasurementBuckets.hourStart(group.tsMillis()[i]))
            .isEqualTo(group.hourStartMillis());
        out.add(
            group.locationId() + group.sourceId() + group.tsMillis()[i] + "=" + group.values()[i]);
      }
    }
    List<String> in = new ArrayList<>();
    for (MeasuredReading r : input) {
      in.add(r.locationId() + r.sourceId() + r.tsMillis() + "=" + r.value());
    }
    assertThat(out).containsExactlyInAnyOrderElementsOf(in);
    harness.close();
  }
}
