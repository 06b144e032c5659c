package org.saam.stream.functions;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.saam.common.store.LocationCompleteness;
import org.saam.stream.records.BatchReceived;

class SeqGapTrackerTest {
  private KeyedOneInputStreamOperatorTestHarness<String, BatchReceived, LocationCompleteness>
      harness;

  @BeforeEach
  void openTracker() throws Exception {
    harness =
        new KeyedOneInputStreamOperatorTestHarness<>(
            new KeyedProcessOperator<>(new SeqGapTracker()),
            BatchReceived::locationId,
            Types.STRING);
    harness.open();
  }

  @AfterEach
  void closeTracker() throws Exception {
    harness.close();
  }

  private void receive(String location, long seq) throws Exception {
    harness.processElement(new BatchReceived(location, "gw-" + location, seq), seq);
  }

  private LocationCompleteness last() {
    var values = harness.extractOutputValues();
    return values.get(values.size() - 1);
  }

  @Test
  void skippedSeqsAreMissingUntilTheyArriveLate() throws Exception {
    receive("loc-1", 1);
    receive("loc-1", 2);
    receive("loc-1", 6);

    assertThat(last().missingBatches()).isEqualTo(3);
    assertThat(last().missingSample()).isEqualTo("3-5");
    assertThat(last().highestSeq()).isEqualTo(6);

    receive("loc-1", 4); // late, out of order
    assertThat(last().missingBatches()).isEqualTo(2);
    assertThat(last().missingSample()).isEqualTo("3,5");

    receive("loc-1", 3);
    receive("loc-1", 5);
    assertThat(last().missingBatches()).isZero();
    assertThat(last().missingSample()).isEmpty();
  }

  @Test
  void repeatedBatchesChangeNothing() throws Exception {
    receive("loc-1", 1);
    receive("loc-1", 2);
    int before = harness.extractOutputValues().size();

    receive("loc-1", 2);
    receive("loc-1", 1);

    assertThat(harness.extractOutputValues()).hasSize(before);
    assertThat(last().missingBatches()).isZero();
  }

  @Test
  void locationsAreTrackedApart() throws Exception {
    receive("loc-1", 1);
    receive("loc-2", 10);
    receive("loc-1", 3);
    receive("loc-2", 11);

    assertThat(harness.extractOutputValues())
        .filteredOn(c -> c.locationId().equals("loc-2"))
        .allSatisfy(c -> assertThat(c.missingBatches()).isZero());
    assertThat(harness.extractOutputValues())
        .filteredOn(c -> c.locationId().equals("loc-1"))
        .last()
        .satisfies(c -> assertThat(c.missingSample()).isEqualTo("2"));
  }

  @Test
  void setsNoTimersAndForgetsFilledGaps() throws Exception {
    receive("loc-1", 1);
    int afterFirst = harness.numKeyedStateEntries();
    receive("loc-1", 5);
    receive("loc-1", 2);
    receive("loc-1", 3);
    receive("loc-1", 4);

    assertThat(harness.numProcessingTimeTimers()).isZero();
    assertThat(harness.numEventTimeTimers()).isZero();
    // highest seq and missing count, plus at most an empty map: no per-seq entries left.
    assertThat(harness.numKeyedStateEntries()).isLessThanOrEqualTo(afterFirst + 1);
  }
}
