package org.saam.stream.features;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;

/**
 * The local period a feature describes: a night (12:00 to 12:00 the next day) or a day (00:00 to
 * 24:00), in the person's time zone. Across a daylight-saving change a window is 23 or 25 hours.
 *
 * @param date the local date the window is named by (a night by the date it starts)
 * @param start inclusive
 * @param end exclusive
 * @param zone the person's time zone
 */
public record FeatureWindow(LocalDate date, Instant start, Instant end, ZoneId zone) {

  public static FeatureWindow night(LocalDate date, ZoneId zone) {
    return new FeatureWindow(
        date,
        date.atTime(12, 0).atZone(zone).toInstant(),
        date.plusDays(1).atTime(12, 0).atZone(zone).toInstant(),
        zone);
  }

  public static FeatureWindow day(LocalDate date, ZoneId zone) {
    return new FeatureWindow(
        date,
        date.atStartOfDay(zone).toInstant(),
        date.plusDays(1).atStartOfDay(zone).toInstant(),
        zone);
  }

  /** Whole minutes in the window. */
  public int minutes() {
    return (int) ((end.toEpochMilli() - start.toEpochMilli()) / 60_000L);
  }

  /** The minute of the window a timestamp falls in, or -1 outside. */
  public int minuteOf(long tsMillis) {
    if (tsMillis < start.toEpochMilli() || tsMillis >= end.toEpochMilli()) {
      return -1;
    }
    return (int) ((tsMillis - start.toEpochMilli()) / 60_000L);
  }

  public boolean contains(long tsMillis) {
    return minuteOf(tsMillis) >= 0;
  }
}
