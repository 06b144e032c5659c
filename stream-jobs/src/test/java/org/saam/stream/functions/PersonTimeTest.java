package org.saam.stream.functions;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.saam.common.store.FeatureRecord;
import org.saam.stream.records.MeasuredReading;

/**
 * The per-person clock of {@link PersonFeatureWindows} in a harness: each home's windows close on
 * its own progress, whatever other homes send, and a silent home closes its windows and lets go.
 */
class PersonTimeTest {
  private static final ZoneId ZONE = ZoneId.of("Europe/Ljubljana");
  private static final LocalDate DAY = LocalDate.of(2026, 11, 10);
  private static final String STEPS = "feature.activity.steps";
  private static final Duration IDLE = Duration.ofMinutes(30);
  private static final Duration QUIET = Duration.ofDays(3);
  private static final long LATENESS = Duration.ofHours(2).toMillis();

  private KeyedOneInputStreamOperatorTestHarness<String, MeasuredReading, FeatureRecord> harness;

  private static KeyedOneInputStreamOperatorTestHarness<String, MeasuredReading, FeatureRecord>
      newHarness() throws Exception {
    return new KeyedOneInputStreamOperatorTestHarness<>(
        new PersonFeatureOperator(
            new PersonFeatureWindows(
                LATENESS, new PersonFeatureWindows.PersonTime(Duration.ofMinutes(2), IDLE, QUIET))),
        MeasuredReading::userId,
        Types.STRING);
  }

  @BeforeEach
  void open() throws Exception {
    harness = newHarness();
    harness.setProcessingTime(0);
    harness.open();
  }

  @AfterEach
  void close() throws Exception {
    harness.close();
  }

  private static long at(LocalDate date, LocalTime time) {
    return LocalDateTime.of(date, time).atZone(ZONE).toInstant().toEpochMilli();
  }

  private void steps(String person, LocalDate date, LocalTime time, double value) throws Exception {
    harness.processElement(
        new MeasuredReading(
            "home-" + person,
            "gw",
            1,
            "bracelet.steps",
            "microhub_bracelet",
            at(date, time),
            value,
            person,
            ZONE.getId()),
        at(date, time));
  }

  /** The steps features emitted for a person, as (window start date, value), in order. */
  private List<String> stepsOf(String person) {
    return harness.extractOutputValues().stream()
        .filter(f -> f.userId().equals(person) && f.sourceId().equals(STEPS))
        .map(
            f ->
                Instant.ofEpochMilli(f.windowStartMillis()).atZone(ZONE).toLocalDate()
                    + "="
                    + f.value())
        .toList();
  }

  @Test
  void twoHomesInterleavedEachCloseTheirWindowsOnTheirOwnProgress() throws Exception {
    steps("ana", DAY, LocalTime.of(10, 0), 100);
    steps("bor", DAY, LocalTime.of(10, 0), 50);
    steps("bor", DAY.plusDays(1), LocalTime.of(9, 0), 60); // Bor's day one closes
    steps("ana", DAY, LocalTime.of(18, 0), 20);

    assertThat(stepsOf("bor")).containsExactly(DAY + "=50.0");
    assertThat(stepsOf("ana")).isEmpty();

    steps("ana", DAY.plusDays(1), LocalTime.of(0, 3)); // past midnight plus the 2 min allowance
    assertThat(stepsOf("ana")).containsExactly(DAY + "=120.0");
  }

  private void steps(String person, LocalDate date, LocalTime time) throws Exception {
    steps(person, date, time, 1);
  }

  @Test
  void aHomeSkewedFarAheadChangesNothingForAnother() throws Exception {
    steps("ana", DAY, LocalTime.of(10, 0), 100);
    // Bor's clock runs a month ahead (within what the parser lets through relative to its
    // arrival, this is what one home's clock could do to a shared watermark).
    steps("bor", DAY.plusDays(30), LocalTime.of(10, 0), 5);
    steps("ana", DAY, LocalTime.of(20, 0), 11);

    assertThat(stepsOf("ana")).isEmpty();
    steps("ana", DAY.plusDays(1), LocalTime.of(8, 0), 1);
    assertThat(stepsOf("ana")).containsExactly(DAY + "=111.0");
  }

  @Test
  void aHomeFarBehindGetsEveryWindowOfItsBacklogInOrder() throws Exception {
    steps("bor", DAY.plusDays(10), LocalTime.of(10, 0), 5);
    for (int day = 0; day < 4; day++) {
      for (int hour = 8; hour < 20; hour += 4) {
        steps("ana", DAY.plusDays(day), LocalTime.of(hour, 0), 10 + day);
      }
    }

    assertThat(stepsOf("ana"))
        .containsExactly(DAY + "=30.0", DAY.plusDays(1) + "=33.0", DAY.plusDays(2) + "=36.0");
  }

  @Test
  void aSilentHomeClosesItsWindowsThenLetsGoOfItsState() throws Exception {
    steps("ana", DAY, LocalTime.of(22, 0), 40);
    steps("ana", DAY.plusDays(1), LocalTime.of(0, 1), 2); // within the allowance: day not closed
    assertThat(stepsOf("ana")).isEmpty();

    harness.setProcessingTime(IDLE.toMillis());
    assertThat(stepsOf("ana"))
        .as("idle: time moves to the newest reading")
        .containsExactly(DAY + "=40.0");

    harness.setProcessingTime(QUIET.toMillis());
    assertThat(stepsOf("ana"))
        .as("quiet: the open day is emitted as it is")
        .containsExactly(DAY + "=40.0", DAY.plusDays(1) + "=2.0");
    FeatureRecord partial =
        harness.extractOutputValues().get(harness.extractOutputValues().size() - 1);
    assertThat(harness.numProcessingTimeTimers()).isZero();
    assertThat(harness.numEventTimeTimers()).isZero();
    // Only the end of the last window emitted is kept, so later readings for it count as late.
    assertThat(harness.numKeyedStateEntries()).isEqualTo(1);

    int emitted = harness.extractOutputValues().size();
    steps("ana", DAY.plusDays(1), LocalTime.of(15, 0), 500);
    assertThat(harness.extractOutputValues()).hasSize(emitted);
    assertThat(partial.coverage()).isLessThan(1.0);
  }

  @Test
  void aHomeThatReturnsBeforeItIsQuietKeepsItsOpenWindows() throws Exception {
    steps("ana", DAY, LocalTime.of(9, 0), 10);
    harness.setProcessingTime(IDLE.toMillis());
    harness.setProcessingTime(Duration.ofDays(2).toMillis());
    steps("ana", DAY, LocalTime.of(19, 0), 5);
    steps("ana", DAY.plusDays(1), LocalTime.of(6, 0), 1);

    assertThat(stepsOf("ana")).containsExactly(DAY + "=15.0");
  }

  @Test
  void aJobRestoredDaysLaterGivesEveryHomeItsFullQuietPeriodToSendItsBacklog() throws Exception {
    steps("ana", DAY, LocalTime.of(22, 0), 40);
    OperatorSubtaskState snapshot = harness.snapshot(1, 1);
    harness.close();

    // Down for five days: the restored silence timer is long past when the job comes back.
    harness = newHarness();
    harness.setProcessingTime(Duration.ofDays(5).toMillis());
    harness.initializeState(snapshot);
    harness.open();
    harness.setProcessingTime(Duration.ofDays(5).plusMinutes(1).toMillis());
    assertThat(stepsOf("ana")).as("not closed as quiet").isEmpty();

    // The gateway's backlog arrives after the restart and lands in the open day.
    steps("ana", DAY, LocalTime.of(23, 0), 7);
    steps("ana", DAY.plusDays(1), LocalTime.of(1, 0), 1);
    assertThat(stepsOf("ana")).containsExactly(DAY + "=47.0");
  }
}
