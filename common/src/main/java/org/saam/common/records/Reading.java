package org.saam.common.records;

import java.time.Instant;
import java.util.Objects;

/**
 * One sensor value as a gateway sends it: which source, when it was measured, and the number.
 *
 * @param sourceId a {@code source_id} of the source catalogue, for example {@code bed.presence}
 * @param ts when the value was measured (event time)
 * @param value the measured value in the source's unit
 */
public record Reading(String sourceId, Instant ts, double value) {
  public Reading {
    Objects.requireNonNull(sourceId, "sourceId");
    Objects.requireNonNull(ts, "ts");
  }
}
