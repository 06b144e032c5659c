package org.saam.stream.functions;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.HashMap;
import java.util.Map;
import org.saam.stream.features.FeatureWindow;

/**
 * The local date of a reading and the ends of the windows it feeds, remembered per time zone: the
 * readings of a subtask fall on a few dates of a few zones, so the time-zone arithmetic runs once a
 * date and zone instead of once a reading. Bounded: one entry per time zone.
 */
final class LocalWindows {
  /**
   * A local date in a zone and the edges of its windows (epoch ms): the day, the night that starts
   * on it and the night that ends on it.
   */
  record Dated(
      LocalDate date,
      ZoneId zone,
      long dayStart,
      long dayEnd,
      long nightStart,
      long nightEnd,
      long previousNightEnd) {}

  private final Map<String, ZoneId> zones = new HashMap<>();
  private final Map<String, Dated> latest = new HashMap<>();

  Dated of(long tsMillis, String zoneId) {
    Dated known = latest.get(zoneId);
    if (known != null && tsMillis >= known.dayStart() && tsMillis < known.dayEnd()) {
      return known;
    }
    ZoneId zone = zones.computeIfAbsent(zoneId, ZoneId::of);
    LocalDate date = Instant.ofEpochMilli(tsMillis).atZone(zone).toLocalDate();
    FeatureWindow day = FeatureWindow.day(date, zone);
    FeatureWindow night = FeatureWindow.night(date, zone);
    Dated dated =
        new Dated(
            date,
            zone,
            day.start().toEpochMilli(),
            day.end().toEpochMilli(),
            night.start().toEpochMilli(),
            night.end().toEpochMilli(),
            night.start().toEpochMilli());
    latest.put(zoneId, dated);
    return dated;
  }
}
