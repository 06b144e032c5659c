package org.saam.ingestion.simulator;

import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * What a person does on one local date: the night that starts that evening, and the daytime events
 * of the date. Plans depend only on the seed, the home and the date, not on the simulated range, so
 * a longer simulation contains the shorter one.
 *
 * @param date the local date
 * @param bedIn when the person goes to bed that evening
 * @param bedOut when they get up the next morning
 * @param nightExits times out of bed during the night: [start minute after bedIn, minutes]
 * @param wakeBouts awake-in-bed bouts (restless movement): [start minute after bedIn, minutes]
 * @param outings time away from home: [start, minutes]
 * @param meals meal times; each meal has 1 to 3 weighings within 10 minutes
 * @param calls phone calls: [start, seconds]
 * @param games cognitive games
 * @param visits visitors at home: [start, minutes]
 */
public record DayPlan(
    LocalDate date,
    LocalDateTime bedIn,
    LocalDateTime bedOut,
    List<int[]> nightExits,
    List<int[]> wakeBouts,
    List<Interval> outings,
    List<LocalDateTime> meals,
    List<Interval> calls,
    List<LocalDateTime> games,
    List<Interval> visits) {

  /** A local start and a length (minutes or seconds, as the field says). */
  public record Interval(LocalDateTime start, int length) {}

  /** The plan of one date; the same home, date and seed always give the same plan. */
  public static DayPlan of(Household home, long seed, LocalDate date) {
    return of(home, seed, date, false);
  }

  /**
   * The plan of one date, its night planted short if asked: in bed from about 00:30 to 04:45 (the
   * same random draws are made either way, so the rest of the plan does not change).
   */
  public static DayPlan of(Household home, long seed, LocalDate date, boolean shortNight) {
    SplittableRandom random =
        new SplittableRandom(seed ^ (home.index() * 0x9E3779B97F4A7C15L) ^ date.toEpochDay());
    LocalDateTime midnight = date.atStartOfDay();
    LocalDateTime bedIn = midnight.plusMinutes(home.bedtimeMinute() + random.nextInt(-30, 31));
    LocalDateTime bedOut =
        midnight.plusDays(1).plusMinutes(home.wakeMinute() + random.nextInt(-30, 31));
    if (shortNight) {
      bedIn = midnight.plusDays(1).plusMinutes(30 + bedIn.getMinute() % 20);
      bedOut = midnight.plusDays(1).plusMinutes(4 * 60 + 45 + bedOut.getMinute() % 10);
    }
    int nightMinutes = (int) java.time.Duration.between(bedIn, bedOut).toMinutes();

    List<int[]> exits = new ArrayList<>();
    int exitCount = random.nextInt(0, 4);
    for (int i = 0; i < exitCount; i++) {
      // Spread exits over the night; some are short (up to 2 minutes) and do not count as exits.
      int start = 60 + (nightMinutes - 120) * (i + 1) / (exitCount + 1) + random.nextInt(-20, 21);
      exits.add(new int[] {start, random.nextInt(1, 13)});
    }
    List<int[]> bouts = new ArrayList<>();
    bouts.add(new int[] {0, random.nextInt(5, 25)}); // falling asleep
    int boutCount = random.nextInt(1, 4);
    for (int i = 0; i < boutCount; i++) {
      bouts.add(
          new int[] {random.nextInt(40, Math.max(41, nightMinutes - 40)), random.nextInt(3, 20)});
    }

    List<Interval> outings = new ArrayList<>();
    int outingCount = random.nextInt(0, 3);
    LocalDateTime cursor = midnight.plusHours(9).plusMinutes(random.nextInt(0, 60));
    for (int i = 0; i < outingCount; i++) {
      int minutes = random.nextInt(30, 150);
      outings.add(new Interval(cursor, minutes));
      cursor = cursor.plusMinutes(minutes + random.nextInt(120, 240));
    }

    List<LocalDateTime> meals = new ArrayList<>();
    for (LocalTime mealTime :
        List.of(LocalTime.of(8, 0), LocalTime.of(12, 45), LocalTime.of(18, 45))) {
      LocalDateTime at = date.atTime(mealTime).plusMinutes(random.nextInt(-25, 26));
      if (!during(outings, at, 15) && random.nextInt(10) != 0) {
        meals.add(at);
      }
    }

    List<Interval> calls = new ArrayList<>();
    int callCount = random.nextInt(0, 1 + (int) Math.round(3 * home.sociability()));
    for (int i = 0; i < callCount; i++) {
      LocalDateTime at = midnight.plusMinutes(10 * 60 + random.nextInt(0, 9 * 60));
      int seconds = random.nextInt(20, 1500);
      // Nobody is on two calls at once, so calls never overlap (and never end in the same second).
      if (!during(outings, at, 5) && !overlapsCall(calls, at, seconds)) {
        calls.add(new Interval(at, seconds));
      }
    }
    List<LocalDateTime> games = new ArrayList<>();
    for (int i = random.nextInt(0, 3); i > 0; i--) {
      LocalDateTime at = midnight.plusMinutes(14 * 60 + random.nextInt(0, 5 * 60));
      if (!during(outings, at, 5) && !games.contains(at)) {
        games.add(at);
      }
    }
    List<Interval> visits = new ArrayList<>();
    if (random.nextDouble() < home.sociability() / 2) {
      LocalDateTime at = midnight.plusMinutes(15 * 60 + random.nextInt(0, 3 * 60));
      int minutes = random.nextInt(30, 120);
      if (!during(outings, at, minutes)) {
        visits.add(new Interval(at, minutes));
      }
    }
    return new DayPlan(date, bedIn, bedOut, exits, bouts, outings, meals, calls, games, visits);
  }

  private static boolean overlapsCall(List<Interval> calls, LocalDateTime at, int seconds) {
    for (Interval call : calls) {
      LocalDateTime end = call.start().plusSeconds(call.length());
      if (at.isBefore(end.plusMinutes(1))
          && at.plusSeconds(seconds).isAfter(call.start().minusMinutes(1))) {
        return true;
      }
    }
    return false;
  }

  /** Whether {@code [at, at + minutes)} overlaps one of the intervals (lengths in minutes). */
  private static boolean during(List<Interval> intervals, LocalDateTime at, int minutes) {
    for (Interval interval : intervals) {
      LocalDateTime end = interval.start().plusMinutes(interval.length());
      if (at.isBefore(end.plusMinutes(10))
          && at.plusMinutes(minutes).isAfter(interval.start().minusMinutes(10))) {
        return true;
      }
    }
    return false;
  }
}
