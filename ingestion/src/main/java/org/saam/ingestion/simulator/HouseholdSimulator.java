package org.saam.ingestion.simulator;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.saam.common.records.Reading;

/**
 * Simulates one home minute by minute: derives what the person does from the day plans, emits the
 * readings every source of the catalogue would send, and records the ground truth.
 *
 * <p>Not thread-safe; call {@link #minute(Instant)} with consecutive minutes.
 */
final class HouseholdSimulator {
  private static final LocalTime NOON = LocalTime.NOON;
  private static final int[] WEIGHING_OFFSETS = {0, 3, 7};

  private final Household home;
  private final long seed;
  private final SplittableRandom noise;
  private final GroundTruth truth;
  private final Map<LocalDate, DayPlan> plans = new HashMap<>();
  private final Set<LocalDate> shortNights;

  private int room = -1;
  private int posture = -1;
  private int persons = -1;
  private boolean wasAway;

  HouseholdSimulator(Household home, long seed) {
    this(home, seed, Set.of());
  }

  HouseholdSimulator(Household home, long seed, Set<LocalDate> shortNights) {
    this.home = home;
    this.seed = seed;
    this.shortNights = Set.copyOf(shortNights);
    this.noise = new SplittableRandom(seed * 7919L + home.index());
    this.truth = new GroundTruth(home);
  }

  GroundTruth truth() {
    return truth;
  }

  Household home() {
    return home;
  }

  private DayPlan plan(LocalDate date) {
    return plans.computeIfAbsent(date, d -> DayPlan.of(home, seed, d, shortNights.contains(d)));
  }

  /** The readings of the minute that starts at {@code minute}. */
  List<Reading> minute(Instant minute) {
    LocalDateTime local = LocalDateTime.ofInstant(minute, home.zone());
    LocalDate nightDate =
        local.toLocalTime().isBefore(NOON) ? local.toLocalDate().minusDays(1) : local.toLocalDate();
    DayPlan night = plan(nightDate);
    DayPlan today = plan(local.toLocalDate());
    boolean bedPeriod = !local.isBefore(night.bedIn()) && local.isBefore(night.bedOut());
    int minuteOfNight = (int) Duration.between(night.bedIn(), local).toMinutes();
    boolean nightExit = bedPeriod && within(night.nightExits(), minuteOfNight);
    boolean inBed = bedPeriod && !nightExit;
    boolean restless = inBed && within(night.wakeBouts(), minuteOfNight);

    DayPlan.Interval outing = active(today.outings(), local, true);
    boolean away = !bedPeriod && outing != null;
    boolean visit = !bedPeriod && !away && active(today.visits(), local, true) != null;
    DayPlan.Interval call = bedPeriod || away ? null : active(today.calls(), local, false);
    boolean mealTime = !bedPeriod && !away && nearMeal(today, local);

    int newRoom;
    if (away) {
      newRoom = 0;
    } else if (inBed) {
      newRoom = 1;
    } else if (nightExit) {
      newRoom = 2;
    } else if (mealTime) {
      newRoom = 3;
    } else if (visit) {
      newRoom = 4;
    } else if (room <= 1 || noise.nextInt(40) == 0) {
      newRoom = 2 + noise.nextInt(3);
    } else {
      newRoom = room;
    }

    int steps;
    if (inBed) {
      steps = 0;
    } else if (nightExit) {
      steps = noise.nextInt(5, 40);
    } else if (away) {
      long sinceStart = Duration.between(outing.start(), local).toMinutes();
      boolean walking = sinceStart < 15 || sinceStart >= outing.length() - 15;
      steps = walking ? home.walkingSteps() + noise.nextInt(-10, 11) : noise.nextInt(0, 30);
    } else {
      int draw = noise.nextInt(100);
      steps = draw < 3 ? noise.nextInt(60, 95) : draw < 70 ? 0 : noise.nextInt(1, 25);
    }

    double heartRate;
    if (inBed && !restless) {
      heartRate = home.restingHeartRate() - 4 + gaussian(1.5);
    } else if (inBed) {
      heartRate = home.restingHeartRate() + gaussian(2);
    } else if (steps >= 60) {
      heartRate = home.restingHeartRate() + 30 + gaussian(4);
    } else {
      heartRate = home.restingHeartRate() + 10 + gaussian(3);
    }
    heartRate = round(clamp(heartRate, 30, 200), 1);
    boolean voices = call != null || visit;

    MinuteState state =
        new MinuteState(inBed, restless, newRoom, steps, heartRate, voices, visit ? 1 : 0);
    recordTruth(local, nightDate, bedPeriod, state);
    return readings(minute, local, today, state, bedPeriod, away, outing);
  }

  private void recordTruth(
      LocalDateTime local, LocalDate nightDate, boolean bedPeriod, MinuteState state) {
    GroundTruth.Day day = truth.day(local.toLocalDate());
    day.minute(state);
    if (room >= 0 && room != state.room()) {
      day.roomTransitions++;
    }
    truth.night(nightDate).minute(bedPeriod, state);
  }

  private List<Reading> readings(
      Instant minute,
      LocalDateTime local,
      DayPlan today,
      MinuteState state,
      boolean bedPeriod,
      boolean away,
      DayPlan.Interval outing) {
    List<Reading> out = new ArrayList<>(16);
    GroundTruth.Day day = truth.day(local.toLocalDate());
    out.add(new Reading("bed.presence", minute, state.inBed() ? 1 : 0));
    int movement =
        !state.inBed()
            ? 0
            : state.restless()
                ? noise.nextInt(GroundTruth.MOVEMENT_BOUT_THRESHOLD + 5, 81)
                : noise.nextInt(0, 13);
    out.add(new Reading("bed.movement", minute, movement));
    if (state.inBed()) {
      out.add(new Reading("bed.breathing_rate", minute, 12 + noise.nextInt(0, 7)));
    }
    out.add(new Reading("bracelet.steps", minute, state.steps()));
    out.add(
        new Reading(
            "bracelet.hr", minute, round(clamp(state.heartRate() + gaussian(2), 30, 200), 0)));
    out.add(new Reading("ecg.hr", minute.plusSeconds(30), state.heartRate()));
    out.add(
        new Reading(
            "wearable.activity_counts",
            minute,
            Math.min(20000, state.steps() * 15 + noise.nextInt(0, state.inBed() ? 20 : 200))));
    out.add(new Reading("av.voice_activity", minute, state.voices() ? 1 : 0));
    if (away) {
      out.add(
          new Reading(
              "smartphone.steps", minute, Math.max(0, state.steps() - noise.nextInt(0, 6))));
    }

    int newPosture = state.inBed() ? 0 : state.steps() >= 60 ? 3 : state.steps() >= 20 ? 2 : 1;
    if (newPosture != posture) {
      out.add(new Reading("wearable.posture", minute.plusSeconds(5), newPosture));
      posture = newPosture;
    }
    if (state.room() != room) {
      out.add(new Reading(home.roomSensor() + ".room", minute.plusSeconds(10), state.room()));
      if (away != wasAway && room >= 0) {
        // Leaving or coming home: the front door opens and closes.
        out.add(new Reading("ambient.door", minute.plusSeconds(2), 1));
        out.add(new Reading("ambient.door", minute.plusSeconds(40), 0));
        if (away && home.roomSensor().equals("uwb")) {
          out.add(
              new Reading(
                  "uwb.speed_mps",
                  minute.plusSeconds(50),
                  round(0.6 + noise.nextDouble() * 0.6, 2)));
        }
      }
      room = state.room();
    }
    wasAway = away;
    int present = away ? 0 : 1 + state.visitors();
    if (present != persons) {
      out.add(new Reading("av.person_count", minute.plusSeconds(15), present));
      persons = present;
    }

    for (DayPlan.Interval call : today.calls()) {
      LocalDateTime end = call.start().plusSeconds(call.length());
      if (sameMinute(end, local)) {
        out.add(new Reading("smartphone.call", minute.plusSeconds(end.getSecond()), call.length()));
        day.calls++;
      }
    }
    for (LocalDateTime game : today.games()) {
      if (sameMinute(game, local)) {
        double score = noise.nextInt(40, 101);
        out.add(new Reading("smartphone.game_score", minute.plusSeconds(20), score));
        out.add(
            new Reading(
                "smartphone.reaction_ms", minute.plusSeconds(20), noise.nextInt(350, 1800)));
        day.gameScores.add(score);
      }
    }
    for (LocalDateTime meal : today.meals()) {
      long offset = Duration.between(meal, local).toMinutes();
      int weighings =
          1
              + (int)
                  Math.floorMod(meal.toLocalDate().toEpochDay() + home.index() + meal.getHour(), 3);
      for (int w = 0; w < weighings; w++) {
        if (!local.isBefore(meal) && offset == WEIGHING_OFFSETS[w]) {
          double grams = -noise.nextInt(40, 300);
          out.add(new Reading("foodscale.weight_delta", minute.plusSeconds(25), grams));
          day.weighing(minute.getEpochSecond() / 60, grams);
          if (w == 0 && meal.getHour() == 12) {
            // Putting food back at lunch: a positive delta, not intake.
            out.add(new Reading("foodscale.weight_delta", minute.plusSeconds(45), 120));
            day.weighing(minute.getEpochSecond() / 60, 120);
          }
        }
      }
    }
    if (state.inBed() && !state.restless() && local.getMinute() < 2) {
      // A short ECG rest recording at the top of each sleeping hour: beat-to-beat intervals.
      long at = minute.toEpochMilli();
      long end = at + 60_000;
      double meanInterval = 60_000 / state.heartRate();
      while (at < end) {
        double interval = round(clamp(meanInterval + gaussian(35), 250, 2500), 0);
        out.add(new Reading("ecg.rr_interval", Instant.ofEpochMilli(at), interval));
        at += (long) interval;
      }
    }
    if (minute.getEpochSecond() % 300 == 0) {
      int hour = local.getHour();
      boolean daylight = hour >= 8 && hour < 17;
      out.add(new Reading("ambient.temperature_c", minute, round(19.5 + gaussian(0.8), 1)));
      out.add(new Reading("ambient.humidity_pct", minute, round(45 + gaussian(4), 1)));
      out.add(
          new Reading(
              "ambient.light_lux",
              minute,
              daylight ? 300 + noise.nextInt(0, 500) : (bedPeriod ? 0 : 120)));
      out.add(
          new Reading(
              "pmc.power_w",
              minute,
              state.room() == 3 ? 800 + noise.nextInt(0, 900) : 60 + noise.nextInt(0, 120)));
      out.add(
          new Reading(
              "av.sound_level_db",
              minute,
              state.voices() ? 55 + noise.nextInt(0, 10) : 30 + noise.nextInt(0, 8)));
      if (home.roomSensor().equals("ble")) {
        out.add(new Reading("ble.rssi", minute, away ? -110 : -60 - noise.nextInt(0, 25)));
      }
    }
    return out;
  }

  private static boolean within(List<int[]> bouts, int minuteOfNight) {
    for (int[] bout : bouts) {
      if (minuteOfNight >= bout[0] && minuteOfNight < bout[0] + bout[1]) {
        return true;
      }
    }
    return false;
  }

  /** The interval running at {@code local}; lengths in minutes, or seconds when not. */
  private static DayPlan.Interval active(
      List<DayPlan.Interval> intervals, LocalDateTime local, boolean minutes) {
    for (DayPlan.Interval interval : intervals) {
      LocalDateTime end =
          minutes
              ? interval.start().plusMinutes(interval.length())
              : interval.start().plusSeconds(interval.length());
      if (!local.isBefore(interval.start().withSecond(0)) && local.isBefore(end)) {
        return interval;
      }
    }
    return null;
  }

  private static boolean nearMeal(DayPlan plan, LocalDateTime local) {
    for (LocalDateTime meal : plan.meals()) {
      if (!local.isBefore(meal.minusMinutes(5)) && local.isBefore(meal.plusMinutes(25))) {
        return true;
      }
    }
    return false;
  }

  private static boolean sameMinute(LocalDateTime a, LocalDateTime minute) {
    return a.withSecond(0).withNano(0).equals(minute);
  }

  private double gaussian(double sigma) {
    // Sum of uniforms: close enough to normal, and deterministic across JVMs.
    double sum = 0;
    for (int i = 0; i < 6; i++) {
      sum += noise.nextDouble();
    }
    return (sum - 3) * sigma * Math.sqrt(2);
  }

  private static double clamp(double value, double min, double max) {
    return Math.max(min, Math.min(max, value));
  }

  private static double round(double value, int decimals) {
    double scale = Math.pow(10, decimals);
    return Math.round(value * scale) / scale;
  }
}
