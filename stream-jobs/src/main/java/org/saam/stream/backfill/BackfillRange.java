package org.saam.stream.backfill;

import java.io.Serializable;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * What a backfill recomputes: the windows (nights and days) that start on the local dates {@code
 * [from, to)} of every person, or of the people of one location.
 *
 * @param from first local date
 * @param to the date after the last one
 * @param locationId only readings of this location, or {@code null} for all
 */
public record BackfillRange(LocalDate from, LocalDate to, String locationId)
    implements Serializable {

  /** Longest range of one backfill run. */
  public static final int MAX_DAYS = 366;

  public BackfillRange {
    if (from == null || to == null) {
      throw new IllegalArgumentException(
          "a backfill needs --from and --to (dates like 2026-11-02)");
    }
    if (!from.isBefore(to)) {
      throw new IllegalArgumentException(
          "--from " + from + " must be before --to " + to + " (--to is not included)");
    }
    if (from.plusDays(MAX_DAYS).isBefore(to)) {
      throw new IllegalArgumentException(
          "a backfill covers at most " + MAX_DAYS + " days; split " + from + ".." + to);
    }
    if (locationId != null
        && !org.saam.common.codec.ReadingBatchCodec.IDENTIFIER.matcher(locationId).matches()) {
      throw new IllegalArgumentException("--location '" + locationId + "' is not a location id");
    }
  }

  /** Parses {@code --from}, {@code --to}, {@code --location} values. */
  public static BackfillRange parse(String from, String to, String location) {
    return new BackfillRange(date("from", from), date("to", to), location);
  }

  private static LocalDate date(String option, String value) {
    if (value == null) {
      return null;
    }
    try {
      return LocalDate.parse(value.strip());
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(
          "--" + option + " must be a date like 2026-11-02, was '" + value + "'", e);
    }
  }

  /**
   * The UTC hours whose measurement buckets are read: two days either side of the range, enough for
   * windows in every time zone (UTC-12 to UTC+14) and for the room a person was in before a day
   * began.
   */
  public List<Instant> hoursToRead() {
    List<Instant> hours = new ArrayList<>();
    Instant end = to.plusDays(2).atStartOfDay(ZoneOffset.UTC).toInstant();
    for (Instant hour = from.minusDays(2).atStartOfDay(ZoneOffset.UTC).toInstant();
        hour.isBefore(end);
        hour = hour.plusSeconds(3600)) {
      hours.add(hour);
    }
    return hours;
  }

  /** Whether a window starting at {@code windowStart} in {@code zone} is one to recompute. */
  public boolean includes(long windowStartMillis, String zone) {
    LocalDate date = Instant.ofEpochMilli(windowStartMillis).atZone(ZoneId.of(zone)).toLocalDate();
    return !date.isBefore(from) && date.isBefore(to);
  }
}
