package org.saam.views.query;

import java.time.Instant;

/**
 * One value of a view: a measurement sample, or a feature of one window (then {@code ts} is the
 * window's start).
 */
public record Row(Instant ts, String sourceId, double value, String locationId, String userId)
    implements Comparable<Row> {

  /** Time order; ties broken by source and location so paging is stable. */
  @Override
  public int compareTo(Row other) {
    int byTime = ts.compareTo(other.ts);
    if (byTime != 0) {
      return byTime;
    }
    int bySource = sourceId.compareTo(other.sourceId);
    return bySource != 0
        ? bySource
        : String.valueOf(locationId).compareTo(String.valueOf(other.locationId));
  }
}
