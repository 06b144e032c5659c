package org.saam.stream.functions;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.saam.common.store.FeatureRecord;
import org.saam.stream.coaching.CoachingRules;
import org.saam.stream.people.ErasedPeople;
import org.saam.stream.records.CoachingEventRecord;
import org.saam.stream.records.MeasuredReading;

/**
 * The per-person operators once a person is erased: nothing of theirs is emitted any more, also not
 * from state they had before, and their state goes, while another person's goes on as before.
 */
class ErasedPersonStateTest {
  private static final ZoneId ZONE = ZoneId.of("Europe/Lisbon");
  private static final LocalDate DAY = LocalDate.of(2026, 11, 10);
  private static final Duration IDLE = Duration.ofMinutes(30);

  /** Erased ids, shared with the operators through a serializable factory. */
  private static final Set<String> ERASED = ConcurrentHashMap.newKeySet();

  private static final ErasedPeople.Factory REGISTRY =
      () ->
          new ErasedPeople() {
            @Override
            public boolean contains(String userId) {
              return ERASED.contains(userId);
            }

            @Override
            public void close() {}
          };

  private final String ana = UUID.randomUUID().toString();
  private final String bor = UUID.randomUUID().toString();
  private KeyedOneInputStreamOperatorTestHarness<String, MeasuredReading, FeatureRecord> features;
  private KeyedOneInputStreamOperatorTestHarness<String, FeatureRecord, CoachingEventRecord>
      coaching;

  @AfterEach
  void close() throws Exception {
    ERASED.remove(ana);
    if (features != null) {
      features.close();
    }
    if (coaching != null) {
      coaching.close();
    }
  }

  private static long at(LocalDate date, LocalTime time) {
    return LocalDateTime.of(date, time).atZone(ZONE).toInstant().toEpochMilli();
  }

  private void steps(String person, LocalTime time) throws Exception {
    long ts = at(DAY, time);
    features.processElement(
        new MeasuredReading(
            "home-" + person, "gw", 1, "bracelet.steps", "x", ts, 100, person, ZONE.getId()),
        ts);
  }

  private long emittedFor(String person) {
    return features.extractOutputValues().stream().filter(f -> f.userId().equals(person)).count();
  }

  @Test
  void anErasedPersonsOpenWindowsAreNeverEmittedAndTheirStateGoesAtTheNextTimer() throws Exception {
    features =
        new KeyedOneInputStreamOperatorTestHarness<>(
            new KeyedProcessOperator<>(
                new PersonFeatureWindows(
                    Duration.ofHours(2).toMillis(),
                    new PersonFeatureWindows.PersonTime(
                        Duration.ofMinutes(2), IDLE, Duration.ofDays(3)),
                    REGISTRY)),
            MeasuredReading::userId,
            Types.STRING);
    features.setProcessingTime(0);
    features.open();
    steps(ana, LocalTime.of(9, 0));
    steps(bor, LocalTime.of(9, 0));
    assertThat(features.numKeyedStateEntries()).as("both people have state").isPositive();
    int withBoth = features.numKeyedStateEntries();

    ERASED.add(ana);
    // Idle: without erasure the home's time would move on and its day would be emitted.
    features.setProcessingTime(IDLE.toMillis() + 1);
    steps(bor, LocalTime.of(23, 59));
    steps(bor, LocalTime.of(23, 59).plusMinutes(1)); // bor's day ends: bor's features come
    features.setProcessingTime(2 * IDLE.toMillis() + 2);

    assertThat(emittedFor(ana)).as("features of the erased person").isZero();
    assertThat(emittedFor(bor)).as("features of the other person").isPositive();
    assertThat(features.numKeyedStateEntries())
        .as("the erased person's state went, the other's stayed")
        .isLessThan(withBoth)
        .isPositive();

    // Readings still in flight for the erased person change nothing and leave nothing.
    int before = features.numKeyedStateEntries();
    steps(ana, LocalTime.of(10, 0));
    features.processWatermark(new Watermark(Long.MAX_VALUE));
    features.setProcessingTime(Duration.ofDays(10).toMillis());
    assertThat(emittedFor(ana)).isZero();
    assertThat(features.numKeyedStateEntries()).isLessThanOrEqualTo(before);
  }

  private void meals(String person, LocalDate date, double meals) throws Exception {
    long start = at(date, LocalTime.MIDNIGHT);
    long end = at(date.plusDays(1), LocalTime.MIDNIGHT);
    coaching.processElement(
        new FeatureRecord(
            person,
            "home-" + person,
            "feature.nutrition.meals",
            "nutrition",
            start,
            end,
            ZONE.getId(),
            meals,
            4,
            1,
            1),
        end - 1);
  }

  @Test
  void anErasedPersonsHeldEventIsNeverSentAndTheirHistoriesGoWithinTheHourlyCheck()
      throws Exception {
    coaching =
        new KeyedOneInputStreamOperatorTestHarness<>(
            new KeyedProcessOperator<>(
                new CoachingRulesFunction(
                    CoachingRules.loadDefault(), Duration.ofDays(36_500), REGISTRY)),
            FeatureRecord::userId,
            Types.STRING);
    coaching.setProcessingTime(0);
    coaching.open();
    // Two days with one meal each: an event, due at midnight, held until quiet hours end.
    for (String person : new String[] {ana, bor}) {
      meals(person, DAY, 1);
      meals(person, DAY.plusDays(1), 1);
    }
    coaching.processWatermark(new Watermark(at(DAY.plusDays(2), LocalTime.of(7, 0))));
    assertThat(coaching.extractOutputValues()).as("held for quiet hours").isEmpty();
    int withBoth = coaching.numKeyedStateEntries();

    ERASED.add(ana);
    coaching.setProcessingTime(CoachingRulesFunction.ERASURE_CHECK.toMillis());
    assertThat(coaching.numKeyedStateEntries())
        .as("the erased person's histories and held event went within the hourly check")
        .isLessThan(withBoth);
    coaching.processWatermark(new Watermark(at(DAY.plusDays(2), LocalTime.of(8, 0))));
    meals(ana, DAY.plusDays(2), 1); // in flight: ignored
    coaching.processWatermark(new Watermark(Long.MAX_VALUE));

    assertThat(coaching.extractOutputValues())
        .extracting(record -> record.event().userId())
        .as("only the other person's event is sent")
        .containsExactly(bor);
  }
}
