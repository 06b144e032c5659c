package org.saam.stream.features;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class FeatureFunctionsTest {
  private static final ZoneId ROME = ZoneId.of("Europe/Rome");

  private static double value(List<FeatureValue> features, String id) {
    return features.stream().filter(f -> f.sourceId().equals(id)).findFirst().orElseThrow().value();
  }

  private static FeatureValue feature(List<FeatureValue> features, String id) {
    return features.stream().filter(f -> f.sourceId().equals(id)).findFirst().orElseThrow();
  }

  /** A night in Rome: in bed 23:00-07:00 local, one exit of 5 minutes, one restless quarter. */
  private static List<List<Sample>> night(LocalDate date) {
    List<Sample> presence = new ArrayList<>();
    List<Sample> movement = new ArrayList<>();
    ZonedDateTime from = date.atTime(22, 0).atZone(ROME);
    ZonedDateTime bedIn = date.atTime(23, 0).atZone(ROME);
    ZonedDateTime bedOut = date.plusDays(1).atTime(7, 0).atZone(ROME);
    for (ZonedDateTime t = from; t.isBefore(bedOut.plusHours(1)); t = t.plusMinutes(1)) {
      boolean exit =
          !t.isBefore(bedIn.plusHours(3)) && t.isBefore(bedIn.plusHours(3).plusMinutes(5));
      boolean inBed = !t.isBefore(bedIn) && t.isBefore(bedOut) && !exit;
      boolean restless = inBed && t.isBefore(bedIn.plusMinutes(15));
      presence.add(new Sample(t.toInstant().toEpochMilli(), inBed ? 1 : 0));
      movement.add(new Sample(t.toInstant().toEpochMilli(), restless ? 60 : inBed ? 5 : 0));
    }
    return List.of(presence, movement);
  }

  @Test
  void sleepOfANightOnWhichTheClocksGoBackHasTheExtraHourInBed() {
    LocalDate ordinary = LocalDate.of(2026, 10, 17);
    LocalDate clocksBack = LocalDate.of(2026, 10, 24); // 25 October 03:00 -> 02:00 in Rome

    List<List<Sample>> normal = night(ordinary);
    List<List<Sample>> longer = night(clocksBack);
    List<FeatureValue> a =
        SleepFeatures.compute(FeatureWindow.night(ordinary, ROME), normal.get(0), normal.get(1));
    List<FeatureValue> b =
        SleepFeatures.compute(FeatureWindow.night(clocksBack, ROME), longer.get(0), longer.get(1));

    assertThat(value(a, SleepFeatures.TIME_IN_BED)).isEqualTo(8 * 60 - 5);
    assertThat(value(b, SleepFeatures.TIME_IN_BED)).isEqualTo(9 * 60 - 5);
    assertThat(value(a, SleepFeatures.TOTAL_SLEEP)).isEqualTo(8 * 60 - 5 - 15);
    assertThat(value(a, SleepFeatures.BED_EXITS)).isEqualTo(1);
    assertThat(FeatureWindow.night(clocksBack, ROME).minutes()).isEqualTo(25 * 60);
  }

  @Test
  void inputOrderDoesNotMatter() {
    LocalDate date = LocalDate.of(2026, 11, 10);
    List<List<Sample>> readings = night(date);
    List<Sample> presence = new ArrayList<>(readings.get(0));
    List<Sample> movement = new ArrayList<>(readings.get(1));
    Collections.shuffle(presence, new Random(1));
    Collections.shuffle(movement, new Random(2));

    assertThat(SleepFeatures.compute(FeatureWindow.night(date, ROME), presence, movement))
        .isEqualTo(
            SleepFeatures.compute(
                FeatureWindow.night(date, ROME), readings.get(0), readings.get(1)));
  }

  @Test
  void emptyWindowsHaveNoValueAndZeroCoverage() {
    FeatureWindow day = FeatureWindow.day(LocalDate.of(2026, 11, 10), ROME);

    assertThat(feature(DayFeatures.activity(day, List.of(), List.of()), DayFeatures.STEPS).value())
        .isNull();
    assertThat(
            feature(DayFeatures.activity(day, List.of(), List.of()), DayFeatures.STEPS).coverage())
        .isZero();
    assertThat(
            feature(
                    SleepFeatures.compute(
                        FeatureWindow.night(day.date(), ROME), List.of(), List.of()),
                    SleepFeatures.TIME_IN_BED)
                .value())
        .isNull();
    assertThat(
            feature(DayFeatures.cardiovascular(day, List.of(), List.of()), DayFeatures.RESTING_HR)
                .value())
        .isNull();
    assertThat(
            feature(DayFeatures.mobility(day, List.of(), null), DayFeatures.ROOM_TRANSITIONS)
                .value())
        .isNull();
  }

  @Test
  void thinDataShowsInCoverageAndAShortHeartRateRecordHasNoRestingRate() {
    FeatureWindow day = FeatureWindow.day(LocalDate.of(2026, 11, 10), ROME);
    long start = day.start().toEpochMilli();
    List<Sample> steps = new ArrayList<>();
    List<Sample> hr = new ArrayList<>();
    for (int minute = 0; minute < 144; minute++) {
      steps.add(new Sample(start + minute * 60_000L, 70));
    }
    for (int minute = 0; minute < 20; minute++) {
      hr.add(new Sample(start + minute * 60_000L, 60));
    }

    FeatureValue stepsFeature =
        feature(DayFeatures.activity(day, steps, List.of()), DayFeatures.STEPS);
    assertThat(stepsFeature.value()).isEqualTo(144 * 70.0);
    assertThat(stepsFeature.coverage()).isEqualTo(0.1);
    assertThat(value(DayFeatures.activity(day, steps, List.of()), DayFeatures.ACTIVE_MIN))
        .isEqualTo(144);
    assertThat(
            feature(DayFeatures.cardiovascular(day, hr, List.of()), DayFeatures.RESTING_HR).value())
        .isNull();
  }

  @Test
  void readingsOutsideTheWindowAndLateOnesAreHandledByTheirTimestamp() {
    FeatureWindow day = FeatureWindow.day(LocalDate.of(2026, 11, 10), ROME);
    long start = day.start().toEpochMilli();
    List<Sample> weighings =
        List.of(
            new Sample(start + 12 * 3_600_000L + 120_000, -100), // lunch, second weighing
            new Sample(start - 60_000, -500), // the evening before: another day
            new Sample(start + 12 * 3_600_000L, -150), // lunch, first weighing, arrives late
            new Sample(start + 19 * 3_600_000L, -200), // dinner
            new Sample(start + 19 * 3_600_000L + 60_000, 80)); // food put back

    List<FeatureValue> nutrition = DayFeatures.nutrition(day, weighings);

    assertThat(value(nutrition, DayFeatures.MEALS)).isEqualTo(2);
    assertThat(value(nutrition, DayFeatures.INTAKE)).isEqualTo(450);
  }

  @Test
  void roomTransitionsCountChangesFromTheRoomBeforeTheDay() {
    FeatureWindow day = FeatureWindow.day(LocalDate.of(2026, 11, 10), ZoneId.of("UTC"));
    long start = day.start().toEpochMilli();
    List<Sample> rooms =
        List.of(
            new Sample(start + 8 * 3_600_000L, 3),
            new Sample(start + 9 * 3_600_000L, 0),
            new Sample(start + 10 * 3_600_000L + 30 * 60_000L, 4));

    List<FeatureValue> mobility = DayFeatures.mobility(day, rooms, 1.0);

    assertThat(value(mobility, DayFeatures.ROOM_TRANSITIONS)).isEqualTo(3);
    assertThat(value(mobility, DayFeatures.OUT_OF_HOME)).isEqualTo(90);
  }
}
