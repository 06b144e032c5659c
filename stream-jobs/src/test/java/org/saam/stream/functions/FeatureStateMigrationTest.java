package org.saam.stream.functions;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.StateBackend;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.OperatorSnapshotUtil;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.saam.common.store.FeatureRecord;
import org.saam.stream.records.MeasuredReading;
import org.saam.stream.testing.StateBackends;

/**
 * The upgrade from the first feature layout: a snapshot of the compute-features operator written by
 * the version before (one list of samples per date and source, every tenth reading held twice)
 * resumes in the current operator, which moves it into cells when it starts. Fed the rest of the
 * two homes' readings, it emits exactly the features of a run that never stopped: nothing of before
 * the upgrade is lost, and nothing the old list held twice counts twice.
 */
class FeatureStateMigrationTest {
  private static final long QUIET_AFTER = Duration.ofDays(3).toMillis();

  static Stream<StateBackend> backends() {
    return Stream.of(StateBackends.rocksDb(), new HashMapStateBackend());
  }

  private static KeyedOneInputStreamOperatorTestHarness<String, MeasuredReading, FeatureRecord>
      harness(StateBackend backend) throws Exception {
    KeyedOneInputStreamOperatorTestHarness<String, MeasuredReading, FeatureRecord> harness =
        new KeyedOneInputStreamOperatorTestHarness<>(
            new PersonFeatureOperator(
                new PersonFeatureWindows(
                    LegacyFeatureState.LATENESS,
                    new PersonFeatureWindows.PersonTime(
                        Duration.ofMinutes(2), Duration.ofMinutes(30), Duration.ofDays(3)))),
            MeasuredReading::userId,
            Types.STRING);
    harness.setStateBackend(backend);
    harness.setProcessingTime(LegacyFeatureState.WALL_CLOCK);
    return harness;
  }

  /** The last value emitted per person, feature and window start, for windows ending after t. */
  private static Map<String, String> lastAfter(List<FeatureRecord> emitted, long t) {
    Map<String, String> last = new HashMap<>();
    for (FeatureRecord f : emitted) {
      if (f.windowEndMillis() > t) {
        last.put(
            f.userId() + "|" + f.sourceId() + "|" + f.windowStartMillis(),
            f.value() + " samples=" + f.samples() + " coverage=" + f.coverage());
      }
    }
    return last;
  }

  private static void feed(
      KeyedOneInputStreamOperatorTestHarness<String, MeasuredReading, FeatureRecord> harness,
      List<MeasuredReading> readings)
      throws Exception {
    for (MeasuredReading reading : readings) {
      harness.processElement(reading, reading.tsMillis());
    }
    // Both homes fall quiet: every open window closes.
    harness.setProcessingTime(LegacyFeatureState.WALL_CLOCK + QUIET_AFTER + 3_600_000L);
  }

  @ParameterizedTest
  @MethodSource("backends")
  void theFirstLayoutsSnapshotResumesWithTheFeaturesOfARunThatNeverStopped(StateBackend backend)
      throws Exception {
    List<MeasuredReading> all = LegacyFeatureState.all();
    long cut = LegacyFeatureState.cut(all);
    List<MeasuredReading> after = LegacyFeatureState.afterSnapshot();

    Map<String, String> expected;
    try (var uninterrupted = harness(backend)) {
      uninterrupted.open();
      feed(uninterrupted, all);
      expected = lastAfter(uninterrupted.extractOutputValues(), cut);
    }

    Map<String, String> resumed;
    try (var upgraded = harness(backend)) {
      upgraded.initializeState(
          OperatorSnapshotUtil.readStateHandle(
              getClass().getResource("/state/person-feature-windows-v1.snapshot").getPath()));
      upgraded.open();
      feed(upgraded, after);
      resumed = lastAfter(upgraded.extractOutputValues(), cut);
      KeyedStateBackend<String> state = upgraded.getOperator().getKeyedStateBackend();
      for (String first : PersonFeatureWindows.FIRST_LAYOUT_STATES) {
        assertThat(state.getKeys(first, VoidNamespace.INSTANCE))
            .as("the first layout's " + first + " was moved")
            .isEmpty();
      }
      assertThat(state.getKeys(FeatureReadings.STATE_NAME, VoidNamespace.INSTANCE))
          .as("the quiet homes were let go")
          .isEmpty();
    }

    assertThat(expected).hasSizeGreaterThan(50);
    assertThat(resumed).isEqualTo(expected);
  }
}
