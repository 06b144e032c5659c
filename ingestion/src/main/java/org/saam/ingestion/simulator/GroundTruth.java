package org.saam.ingestion.simulator;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What was really simulated for one home, per local day and night, computed from the simulated
 * minutes themselves (not from the published readings). Feature computations are checked against
 * it.
 *
 * <p>Definitions, shared with the feature functions:
 *
 * <ul>
 *   <li>a night runs from 12:00 local on its date to 12:00 the next day; a day from 00:00 to 24:00;
 *   <li>time in bed: minutes with bed presence 1 in the main bed period;
 *   <li>total sleep: those minutes whose bed.movement is below {@value #MOVEMENT_BOUT_THRESHOLD};
 *   <li>bed exit: presence 0 for more than 2 consecutive minutes inside the bed period;
 *   <li>active minute: at least 60 bracelet steps; longest sedentary: longest run of minutes out of
 *       bed with no steps;
 *   <li>room transition: a minute whose room differs from the minute before (0, not at home, counts
 *       as a room); time out of home: minutes in room 0;
 *   <li>resting heart rate: the lowest mean of ecg.hr over 30 consecutive minutes of the day;
 *   <li>meals: food-scale weighings grouped when less than 30 minutes apart; intake: grams taken
 *       (negative deltas) per day.
 * </ul>
 */
public final class GroundTruth {
  /** bed.movement at or above this marks a movement bout (awake in bed). */
  public static final int MOVEMENT_BOUT_THRESHOLD = 30;

  private final Household home;
  private final Map<LocalDate, Day> days = new TreeMap<>();
  private final Map<LocalDate, Night> nights = new TreeMap<>();

  GroundTruth(Household home) {
    this.home = home;
  }

  public Household home() {
    return home;
  }

  Day day(LocalDate date) {
    return days.computeIfAbsent(date, d -> new Day());
  }

  Night night(LocalDate date) {
    return nights.computeIfAbsent(date, d -> new Night());
  }

  /** The complete days in {@code [first, last]}, as figures by name. */
  public Map<LocalDate, Map<String, Object>> days(LocalDate first, LocalDate last) {
    Map<LocalDate, Map<String, Object>> out = new TreeMap<>();
    days.forEach(
        (date, day) -> {
          if (!date.isBefore(first) && !date.isAfter(last)) {
            out.put(date, day.figures());
          }
        });
    return out;
  }

  /** The complete nights in {@code [first, last]}, as figures by name. */
  public Map<LocalDate, Map<String, Object>> nights(LocalDate first, LocalDate last) {
    Map<LocalDate, Map<String, Object>> out = new TreeMap<>();
    nights.forEach(
        (date, night) -> {
          if (!date.isBefore(first) && !date.isAfter(last)) {
            out.put(date, night.figures());
          }
        });
    return out;
  }

  /** Running figures of one local day. */
  static final class Day {
    long steps;
    int activeMinutes;
    int sedentaryRun;
    int longestSedentary;
    int roomTransitions;
    int minutesOutOfHome;
    int conversationMinutes;
    int calls;
    final List<Double> gameScores = new ArrayList<>();
    int meals;
    long lastWeighingMinute = Long.MIN_VALUE / 2;
    double intakeGrams;
    final List<Double> heartRates = new ArrayList<>();

    void minute(MinuteState state) {
      steps += state.steps();
      if (state.steps() >= 60) {
        activeMinutes++;
      }
      if (!state.inBed() && state.steps() == 0) {
        sedentaryRun++;
        longestSedentary = Math.max(longestSedentary, sedentaryRun);
      } else {
        sedentaryRun = 0;
      }
      if (state.room() == 0) {
        minutesOutOfHome++;
      }
      if (state.voices()) {
        conversationMinutes++;
      }
      heartRates.add(state.heartRate());
    }

    void weighing(long epochMinute, double grams) {
      if (epochMinute - lastWeighingMinute >= 30) {
        meals++;
      }
      lastWeighingMinute = epochMinute;
      if (grams < 0) {
        intakeGrams -= grams;
      }
    }

    Map<String, Object> figures() {
      Map<String, Object> figures = new TreeMap<>();
      figures.put("steps", steps);
      figures.put("active_min", activeMinutes);
      figures.put("longest_sedentary_min", longestSedentary);
      figures.put("room_transitions", roomTransitions);
      figures.put("time_out_of_home_min", minutesOutOfHome);
      figures.put("resting_hr", round(restingHeartRate(), 2));
      figures.put("conversation_min", conversationMinutes);
      figures.put("calls", calls);
      figures.put(
          "game_score",
          gameScores.isEmpty()
              ? null
              : round(gameScores.stream().mapToDouble(Double::doubleValue).average().orElse(0), 3));
      figures.put("meals", meals);
      figures.put("intake_g", round(intakeGrams, 1));
      return figures;
    }

    private double restingHeartRate() {
      double lowest = Double.MAX_VALUE;
      double window = 0;
      for (int i = 0; i < heartRates.size(); i++) {
        window += heartRates.get(i);
        if (i >= 30) {
          window -= heartRates.get(i - 30);
        }
        if (i >= 29) {
          lowest = Math.min(lowest, window / 30);
        }
      }
      return lowest == Double.MAX_VALUE ? Double.NaN : lowest;
    }
  }

  /** Running figures of one night. */
  static final class Night {
    int timeInBed;
    int totalSleep;
    int bedExits;
    int outOfBedRun;

    void minute(boolean inBedPeriod, MinuteState state) {
      if (!inBedPeriod) {
        return;
      }
      if (state.inBed()) {
        if (outOfBedRun > 2) {
          bedExits++;
        }
        outOfBedRun = 0;
        timeInBed++;
        if (!state.restless()) {
          totalSleep++;
        }
      } else {
        outOfBedRun++;
      }
    }

    Map<String, Object> figures() {
      Map<String, Object> figures = new TreeMap<>();
      figures.put("time_in_bed_min", timeInBed);
      figures.put("total_sleep_min", totalSleep);
      figures.put("efficiency", timeInBed == 0 ? null : round((double) totalSleep / timeInBed, 4));
      figures.put("bed_exits", bedExits);
      return figures;
    }
  }

  private static Double round(double value, int decimals) {
    if (Double.isNaN(value)) {
      return null;
    }
    double scale = Math.pow(10, decimals);
    return Math.round(value * scale) / scale;
  }
}
