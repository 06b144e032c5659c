package org.saam.stream.features;

import java.util.ArrayList;
import java.util.List;

/**
 * Features of one local day (00:00 to 24:00) for the activity, mobility, cardiovascular, social,
 * cognitive and nutrition domains. Each method takes the readings of its sources, in any order.
 */
public final class DayFeatures {
  public static final String STEPS = "feature.activity.steps";
  public static final String ACTIVE_MIN = "feature.activity.active_min";
  public static final String LONGEST_SEDENTARY = "feature.activity.longest_sedentary_min";
  public static final String ROOM_TRANSITIONS = "feature.mobility.room_transitions";
  public static final String OUT_OF_HOME = "feature.mobility.time_out_of_home_min";
  public static final String RESTING_HR = "feature.cardiovascular.resting_hr";
  public static final String HRV_RMSSD = "feature.cardiovascular.hrv_rmssd_ms";
  public static final String CONVERSATION = "feature.social.conversation_min";
  public static final String CALLS = "feature.social.calls";
  public static final String GAME_SCORE = "feature.cognitive.game_score";
  public static final String MEALS = "feature.nutrition.meals";
  public static final String INTAKE = "feature.nutrition.intake_g";

  /** Steps per minute from which a minute is active. */
  public static final double ACTIVE_STEPS = 60;

  /** Minutes over which the resting heart rate is averaged. */
  public static final int RESTING_MINUTES = 30;

  /** Weighings closer than this belong to the same meal. */
  public static final long MEAL_GAP_MINUTES = 30;

  /** Beat intervals further apart than this belong to different recordings. */
  public static final long RECORDING_GAP_MS = 3_000;

  private DayFeatures() {}

  /** Daily steps, active minutes, longest awake bout without steps (needs bed.presence). */
  public static List<FeatureValue> activity(
      FeatureWindow day, List<Sample> steps, List<Sample> presence) {
    MinuteSeries stepMinutes = MinuteSeries.of(day, steps);
    MinuteSeries inBed = MinuteSeries.of(day, presence);
    double total = 0;
    int active = 0;
    int run = 0;
    int longest = 0;
    for (int minute = 0; minute < stepMinutes.values.length; minute++) {
      double value = stepMinutes.values[minute];
      if (!Double.isNaN(value)) {
        total += value;
        if (value >= ACTIVE_STEPS) {
          active++;
        }
      }
      boolean awake = !inBed.has(minute) || inBed.values[minute] == 0;
      if (awake && value == 0) {
        run++;
        longest = Math.max(longest, run);
      } else {
        run = 0;
      }
    }
    boolean any = stepMinutes.samples > 0;
    double coverage = stepMinutes.coverage();
    return List.of(
        new FeatureValue(STEPS, any ? total : null, stepMinutes.samples, coverage),
        new FeatureValue(ACTIVE_MIN, any ? (double) active : null, stepMinutes.samples, coverage),
        new FeatureValue(
            LONGEST_SEDENTARY,
            any ? (double) longest : null,
            stepMinutes.samples + inBed.samples,
            coverage));
  }

  /**
   * Room changes and minutes away from home from a room source (uwb.room or ble.room, sent on
   * change; 0 = not at home).
   *
   * @param roomBefore the last room reading before the day, or null if there is none
   */
  public static List<FeatureValue> mobility(
      FeatureWindow day, List<Sample> rooms, Double roomBefore) {
    List<Sample> sorted = new ArrayList<>(rooms);
    sorted.removeIf(s -> !day.contains(s.tsMillis()));
    sorted.sort(null);
    int transitions = 0;
    Double previous = roomBefore;
    for (Sample sample : sorted) {
      if (previous != null && previous != sample.value()) {
        transitions++;
      }
      previous = sample.value();
    }
    int away = 0;
    Double state = roomBefore;
    int next = 0;
    for (int minute = 0; minute < day.minutes(); minute++) {
      long minuteEnd = day.start().toEpochMilli() + (minute + 1) * 60_000L;
      while (next < sorted.size() && sorted.get(next).tsMillis() < minuteEnd) {
        state = sorted.get(next++).value();
      }
      if (state != null && state == 0) {
        away++;
      }
    }
    boolean known = roomBefore != null || !sorted.isEmpty();
    double coverage = known ? 1 : 0;
    return List.of(
        new FeatureValue(
            ROOM_TRANSITIONS, known ? (double) transitions : null, sorted.size(), coverage),
        new FeatureValue(OUT_OF_HOME, known ? (double) away : null, sorted.size(), coverage));
  }

  /** Lowest 30-minute mean of ecg.hr; RMSSD of ecg.rr_interval within rest recordings. */
  public static List<FeatureValue> cardiovascular(
      FeatureWindow day, List<Sample> heartRate, List<Sample> beatIntervals) {
    MinuteSeries hr = MinuteSeries.of(day, heartRate);
    double lowest = Double.NaN;
    double sum = 0;
    int present = 0;
    for (int minute = 0; minute < hr.values.length; minute++) {
      if (hr.has(minute)) {
        sum += hr.values[minute];
        present++;
      }
      if (minute >= RESTING_MINUTES && hr.has(minute - RESTING_MINUTES)) {
        sum -= hr.values[minute - RESTING_MINUTES];
        present--;
      }
      if (minute >= RESTING_MINUTES - 1 && present == RESTING_MINUTES) {
        double mean = sum / RESTING_MINUTES;
        lowest = Double.isNaN(lowest) ? mean : Math.min(lowest, mean);
      }
    }
    List<Sample> rr = new ArrayList<>(beatIntervals);
    rr.removeIf(s -> !day.contains(s.tsMillis()));
    rr.sort(null);
    double squares = 0;
    int differences = 0;
    for (int i = 1; i < rr.size(); i++) {
      if (rr.get(i).tsMillis() - rr.get(i - 1).tsMillis() <= RECORDING_GAP_MS) {
        double difference = rr.get(i).value() - rr.get(i - 1).value();
        squares += difference * difference;
        differences++;
      }
    }
    return List.of(
        new FeatureValue(
            RESTING_HR, Double.isNaN(lowest) ? null : lowest, hr.samples, hr.coverage()),
        new FeatureValue(
            HRV_RMSSD,
            differences == 0 ? null : Math.sqrt(squares / differences),
            rr.size(),
            rr.isEmpty() ? 0 : 1));
  }

  /** Minutes with voices (av.voice_activity) and phone calls (smartphone.call). */
  public static List<FeatureValue> social(
      FeatureWindow day, List<Sample> voices, List<Sample> calls) {
    MinuteSeries voice = MinuteSeries.of(day, voices);
    int conversation = 0;
    for (double value : voice.values) {
      if (value == 1) {
        conversation++;
      }
    }
    long callCount = calls.stream().filter(s -> day.contains(s.tsMillis())).count();
    return List.of(
        new FeatureValue(
            CONVERSATION,
            voice.samples == 0 ? null : (double) conversation,
            voice.samples,
            voice.coverage()),
        new FeatureValue(CALLS, (double) callCount, (int) callCount, voice.coverage()));
  }

  /** Mean game score of the day (smartphone.game_score). */
  public static List<FeatureValue> cognitive(FeatureWindow day, List<Sample> scores) {
    double sum = 0;
    int count = 0;
    for (Sample sample : scores) {
      if (day.contains(sample.tsMillis())) {
        sum += sample.value();
        count++;
      }
    }
    return List.of(
        new FeatureValue(GAME_SCORE, count == 0 ? null : sum / count, count, count == 0 ? 0 : 1));
  }

  /** Meals (weighings at least 30 minutes apart start a new one) and grams taken. */
  public static List<FeatureValue> nutrition(FeatureWindow day, List<Sample> weighings) {
    List<Sample> sorted = new ArrayList<>(weighings);
    sorted.removeIf(s -> !day.contains(s.tsMillis()));
    sorted.sort(null);
    int meals = 0;
    long lastMinute = Long.MIN_VALUE / 2;
    double intake = 0;
    for (Sample sample : sorted) {
      long minute = Math.floorDiv(sample.tsMillis(), 60_000L);
      if (minute - lastMinute >= MEAL_GAP_MINUTES) {
        meals++;
      }
      lastMinute = minute;
      if (sample.value() < 0) {
        intake -= sample.value();
      }
    }
    double coverage = sorted.isEmpty() ? 0 : 1;
    return List.of(
        new FeatureValue(MEALS, (double) meals, sorted.size(), coverage),
        new FeatureValue(INTAKE, intake, sorted.size(), coverage));
  }
}
