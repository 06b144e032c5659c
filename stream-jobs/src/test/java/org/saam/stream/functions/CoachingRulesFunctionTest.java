package org.saam.stream.functions;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.List;
import java.util.UUID;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.saam.common.records.CoachingEvent;
import org.saam.common.store.FeatureRecord;
import org.saam.stream.coaching.CoachingRules;
import org.saam.stream.records.CoachingEventRecord;

class CoachingRulesFunctionTest {
  private static final ZoneId ZONE = ZoneId.of("Europe/Helsinki");
  private static final String SLEEP = "feature.sleep.total_sleep_min";
  private static final String MEALS = "feature.nutrition.meals";
  private static final LocalDate FIRST = LocalDate.of(2026, 11, 2);
  private static final java.time.Duration LATE_AFTER = java.time.Duration.ofHours(24);

  private final String person = UUID.randomUUID().toString();
  private KeyedOneInputStreamOperatorTestHarness<String, FeatureRecord, CoachingEventRecord>
      harness;

  private static KeyedOneInputStreamOperatorTestHarness<String, FeatureRecord, CoachingEventRecord>
      newHarness() throws Exception {
    return new KeyedOneInputStreamOperatorTestHarness<>(
        new KeyedProcessOperator<>(
            new CoachingRulesFunction(CoachingRules.loadDefault(), LATE_AFTER)),
        FeatureRecord::userId,
        Types.STRING);
  }

  @BeforeEach
  void open() throws Exception {
    harness = newHarness();
    harness.open();
  }

  @AfterEach
  void close() throws Exception {
    harness.close();
  }

  private static long at(LocalDate date, LocalTime time) {
    return LocalDateTime.of(date, time).atZone(ZONE).toInstant().toEpochMilli();
  }

  /** The night starting at noon of {@code date}, as compute features emits it at its end. */
  private void night(LocalDate date, double sleepMinutes, double coverage) throws Exception {
    long start = at(date, LocalTime.NOON);
    long end = at(date.plusDays(1), LocalTime.NOON);
    harness.processElement(
        new FeatureRecord(
            person,
            "loc-1",
            SLEEP,
            "sleep",
            start,
            end,
            ZONE.getId(),
            sleepMinutes,
            900,
            coverage,
            1),
        end - 1);
    harness.processWatermark(new Watermark(end));
  }

  private void day(LocalDate date, double meals) throws Exception {
    long start = at(date, LocalTime.MIDNIGHT);
    long end = at(date.plusDays(1), LocalTime.MIDNIGHT);
    harness.processElement(
        new FeatureRecord(
            person, "loc-1", MEALS, "nutrition", start, end, ZONE.getId(), meals, 4, 1, 1),
        end - 1);
    harness.processWatermark(new Watermark(end));
  }

  private List<CoachingEvent> events() {
    return harness.extractOutputValues().stream().map(CoachingEventRecord::event).toList();
  }

  @Test
  void threeShortNightsInARowGiveOneEventWithItsEvidenceAndSameDataAgainGivesNothing()
      throws Exception {
    night(FIRST, 420, 1);
    night(FIRST.plusDays(1), 250, 1);
    night(FIRST.plusDays(2), 240, 1);
    assertThat(events()).isEmpty();
    night(FIRST.plusDays(3), 260, 1);

    assertThat(events()).hasSize(1);
    CoachingEvent event = events().get(0);
    assertThat(event.ruleId()).isEqualTo("sleep.short_nights");
    assertThat(event.domain()).isEqualTo("sleep");
    assertThat(event.userId()).isEqualTo(person);
    assertThat(event.locationId()).isEqualTo("loc-1");
    assertThat(event.evidence())
        .extracting(CoachingEvent.Evidence::value)
        .containsExactly(250.0, 240.0, 260.0);
    // Night windows end at noon, outside quiet hours: due at the window's end.
    assertThat(event.ts()).isEqualTo(Instant.ofEpochMilli(at(FIRST.plusDays(4), LocalTime.NOON)));

    // The same windows again (a replay) and a fourth short night inside the cooldown: nothing new.
    night(FIRST.plusDays(2), 240, 1);
    night(FIRST.plusDays(3), 260, 1);
    night(FIRST.plusDays(4), 200, 1);
    night(FIRST.plusDays(5), 200, 1);
    night(FIRST.plusDays(6), 200, 1);
    assertThat(events()).hasSize(1);
  }

  @Test
  void nightsWithTooLittleDataOrAMissingNightBreakTheRun() throws Exception {
    night(FIRST, 250, 1);
    night(FIRST.plusDays(1), 250, 0.5); // coverage under the rule's 0.8
    night(FIRST.plusDays(2), 250, 1);
    night(FIRST.plusDays(3), 250, 1);
    // no feature at all for the night of FIRST + 4 (no readings)
    night(FIRST.plusDays(5), 250, 1);
    night(FIRST.plusDays(6), 250, 1);
    assertThat(events()).isEmpty();
    night(FIRST.plusDays(7), 250, 1);
    assertThat(events()).hasSize(1);
  }

  @Test
  void anEventDueInQuietHoursIsHeldUntilTheyEndEvenAcrossARestart() throws Exception {
    day(FIRST, 1);
    day(FIRST.plusDays(1), 1); // ends at midnight, inside quiet hours 21:00-08:00
    assertThat(events()).isEmpty();
    harness.processWatermark(new Watermark(at(FIRST.plusDays(2), LocalTime.of(7, 59))));
    assertThat(events()).isEmpty();

    OperatorSubtaskState snapshot = harness.snapshot(1, 1);
    harness.close();
    harness = newHarness();
    harness.setup();
    harness.initializeState(snapshot);
    harness.open();

    harness.processWatermark(new Watermark(at(FIRST.plusDays(2), LocalTime.of(8, 0))));
    assertThat(events()).hasSize(1);
    CoachingEvent event = events().get(0);
    assertThat(event.ruleId()).isEqualTo("nutrition.few_meals");
    assertThat(event.ts().atZone(ZONE).toLocalTime()).isEqualTo(LocalTime.of(8, 0));
    assertThat(event.ts())
        .isEqualTo(Instant.ofEpochMilli(at(FIRST.plusDays(2), LocalTime.of(8, 0))));
    // Nothing is left waiting.
    harness.processWatermark(new Watermark(Long.MAX_VALUE));
    assertThat(events()).hasSize(1);
  }

  @Test
  void anEventOfAWindowThatEndedLongAgoIsSentAtOnceMarkedDeliveredLate() throws Exception {
    // The wall clock is two days past the windows: a home uploading its backlog.
    harness.setProcessingTime(at(FIRST.plusDays(4), LocalTime.NOON));
    day(FIRST, 1);
    day(FIRST.plusDays(1), 1); // would be held to 08:00 if it were current

    assertThat(events()).singleElement().satisfies(e -> assertThat(e.deliveredLate()).isTrue());
    assertThat(harness.extractOutputValues())
        .singleElement()
        .satisfies(r -> assertThat(r.late()).isTrue());
  }

  @Test
  void anEventOfARecentWindowIsNotLate() throws Exception {
    harness.setProcessingTime(at(FIRST.plusDays(2), LocalTime.of(9, 0)));
    day(FIRST, 1);
    day(FIRST.plusDays(1), 1);
    harness.processWatermark(new Watermark(at(FIRST.plusDays(2), LocalTime.of(8, 0))));

    assertThat(events()).singleElement().satisfies(e -> assertThat(e.deliveredLate()).isFalse());
  }

  @Test
  void eventIdsAreTheSameForTheSameRulePersonAndWindow() throws Exception {
    for (int i = 0; i < 3; i++) {
      night(FIRST.plusDays(i), 200, 1);
    }
    KeyedOneInputStreamOperatorTestHarness<String, FeatureRecord, CoachingEventRecord> first =
        harness;
    String id = events().get(0).eventId();
    harness = newHarness();
    harness.open();
    for (int i = 0; i < 3; i++) {
      night(FIRST.plusDays(i), 200, 1);
    }
    assertThat(events().get(0).eventId()).isEqualTo(id).hasSize(32);
    first.close();
  }

  @Test
  void aPersonWithoutFeaturesForTheQuietPeriodIsLetGoAndARestartDoesNotCountAsSilence()
      throws Exception {
    long day = java.time.Duration.ofDays(1).toMillis();
    harness.setProcessingTime(0);
    night(FIRST, 300, 0.9);
    assertThat(harness.numKeyedStateEntries()).isPositive();

    // The job stops with the person's state and is restored ten days later: not silence.
    OperatorSubtaskState snapshot = harness.snapshot(1, 1);
    harness.close();
    harness = newHarness();
    harness.setProcessingTime(10 * day);
    harness.initializeState(snapshot);
    harness.open();
    harness.setProcessingTime(10 * day + 2 * 3_600_000L);
    assertThat(harness.numKeyedStateEntries()).as("kept after the restart").isPositive();
    assertThat(harness.numProcessingTimeTimers()).isEqualTo(1);

    // Three days without a feature after that: the person is let go, no timer is left.
    harness.setProcessingTime(13 * day + 2 * 3_600_000L);
    assertThat(harness.numKeyedStateEntries()).isZero();
    assertThat(harness.numProcessingTimeTimers()).isZero();

    // A later feature starts afresh.
    night(FIRST.plusDays(20), 300, 0.9);
    assertThat(harness.numKeyedStateEntries()).isPositive();
  }
}
