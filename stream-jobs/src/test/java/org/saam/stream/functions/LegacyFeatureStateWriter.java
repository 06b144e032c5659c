package org.saam.stream.functions;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.checkpoint.SavepointType;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.OperatorSnapshotUtil;
import org.saam.common.store.FeatureRecord;
import org.saam.stream.records.MeasuredReading;

/**
 * Writes the state of the first feature layout (one list of samples per local date and source) as a
 * snapshot of the compute-features operator, for {@code FeatureStateMigrationTest}. Run once, with
 * the layout as it was; the snapshot is kept under {@code src/test/resources/state/}.
 */
public final class LegacyFeatureStateWriter {
  private LegacyFeatureStateWriter() {}

  public static void main(String[] args) throws Exception {
    Path out = Path.of(args.length > 0 ? args[0] : LegacyFeatureState.SNAPSHOT);
    Files.createDirectories(out.getParent());
    try (KeyedOneInputStreamOperatorTestHarness<String, MeasuredReading, FeatureRecord> harness =
        new KeyedOneInputStreamOperatorTestHarness<>(
            new KeyedProcessOperator<>(
                new PersonFeatureWindows(
                    LegacyFeatureState.LATENESS,
                    new PersonFeatureWindows.PersonTime(
                        Duration.ofMinutes(2), Duration.ofMinutes(30), Duration.ofDays(3)))),
            MeasuredReading::userId,
            Types.STRING)) {
      harness.setProcessingTime(LegacyFeatureState.WALL_CLOCK);
      harness.open();
      List<MeasuredReading> before = LegacyFeatureState.beforeSnapshot();
      for (MeasuredReading reading : before) {
        harness.processElement(reading, reading.tsMillis());
      }
      // As the first layout saw a resent batch: every tenth reading a second time.
      for (int i = 0; i < before.size(); i += 10) {
        harness.processElement(before.get(i), before.get(i).tsMillis());
      }
      // A savepoint in the canonical format, which any state backend restores.
      OperatorSubtaskState state =
          harness
              .snapshotWithLocalState(1, 1, SavepointType.savepoint(SavepointFormatType.CANONICAL))
              .getJobManagerOwnedState();
      OperatorSnapshotUtil.writeStateHandle(state, out.toString());
      System.out.println(
          "wrote " + out + " (" + before.size() + " readings, " + Files.size(out) + " bytes)");
    }
  }
}
