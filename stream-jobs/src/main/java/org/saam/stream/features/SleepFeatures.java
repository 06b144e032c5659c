package org.saam.stream.features;

import java.util.ArrayList;
import java.util.List;

/**
 * Sleep features of one night (12:00 to 12:00, local) from {@code bed.presence} and {@code
 * bed.movement}, both per minute.
 *
 * <ul>
 *   <li>The main bed period: in-bed minutes grouped into periods wherever the person was out of bed
 *       for at most {@value #MAX_GAP_MINUTES} minutes; the period with the most in-bed minutes.
 *   <li>{@code time_in_bed_min}: in-bed minutes of that period.
 *   <li>{@code total_sleep_min}: those of them without a movement bout (bed.movement below {@value
 *       #MOVEMENT_BOUT}; a minute without a movement reading counts as asleep).
 *   <li>{@code efficiency}: total sleep divided by time in bed.
 *   <li>{@code bed_exits}: out-of-bed runs inside the period longer than 2 minutes.
 * </ul>
 */
public final class SleepFeatures {
  public static final String TIME_IN_BED = "feature.sleep.time_in_bed_min";
  public static final String TOTAL_SLEEP = "feature.sleep.total_sleep_min";
  public static final String EFFICIENCY = "feature.sleep.efficiency";
  public static final String BED_EXITS = "feature.sleep.bed_exits";

  /** bed.movement at or above this is a movement bout. */
  public static final double MOVEMENT_BOUT = 30;

  /** Longest time out of bed that still belongs to the same bed period. */
  public static final int MAX_GAP_MINUTES = 30;

  private SleepFeatures() {}

  public static List<FeatureValue> compute(
      FeatureWindow night, List<Sample> presence, List<Sample> movement) {
    MinuteSeries inBed = MinuteSeries.of(night, presence);
    MinuteSeries moving = MinuteSeries.of(night, movement);
    int samples = inBed.samples + moving.samples;
    double coverage = inBed.coverage();
    int[] period = mainBedPeriod(inBed);
    if (period == null) {
      return List.of(
          new FeatureValue(TIME_IN_BED, null, samples, coverage),
          new FeatureValue(TOTAL_SLEEP, null, samples, coverage),
          new FeatureValue(EFFICIENCY, null, samples, coverage),
          new FeatureValue(BED_EXITS, null, samples, coverage));
    }
    int timeInBed = 0;
    int sleep = 0;
    int exits = 0;
    int outRun = 0;
    for (int minute = period[0]; minute <= period[1]; minute++) {
      if (inBed.values[minute] == 1) {
        if (outRun > 2) {
          exits++;
        }
        outRun = 0;
        timeInBed++;
        if (!moving.has(minute) || moving.values[minute] < MOVEMENT_BOUT) {
          sleep++;
        }
      } else {
        outRun++;
      }
    }
    return List.of(
        new FeatureValue(TIME_IN_BED, (double) timeInBed, samples, coverage),
        new FeatureValue(TOTAL_SLEEP, (double) sleep, samples, coverage),
        new FeatureValue(EFFICIENCY, (double) sleep / timeInBed, samples, coverage),
        new FeatureValue(BED_EXITS, (double) exits, samples, coverage));
  }

  /** First and last minute of the main bed period, or null when nobody was in bed. */
  private static int[] mainBedPeriod(MinuteSeries inBed) {
    List<int[]> periods = new ArrayList<>(); // [first, last, in-bed minutes]
    int[] current = null;
    int gap = 0;
    for (int minute = 0; minute < inBed.values.length; minute++) {
      if (inBed.values[minute] == 1) {
        if (current == null || gap > MAX_GAP_MINUTES) {
          current = new int[] {minute, minute, 0};
          periods.add(current);
        }
        current[1] = minute;
        current[2]++;
        gap = 0;
      } else {
        gap++;
      }
    }
    int[] best = null;
    for (int[] period : periods) {
      if (best == null || period[2] > best[2]) {
        best = period;
      }
    }
    return best;
  }
}
