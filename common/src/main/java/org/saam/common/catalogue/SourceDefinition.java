package org.saam.common.catalogue;

import java.io.Serializable;

/**
 * One {@code source_id} of the catalogue.
 *
 * @param id the source id, for example {@code bed.presence}
 * @param kind whether a gateway measures it or the platform computes it
 * @param group the device view of a measurement, the domain of a feature
 * @param unit the unit of its values
 * @param min the smallest valid value
 * @param max the largest valid value
 * @param description one line for people
 */
public record SourceDefinition(
    String id,
    SourceKind kind,
    String group,
    String unit,
    double min,
    double max,
    String description,
    int maxPerHour)
    implements Serializable {

  /** Readings per hour a measurement source may have when the catalogue names no other rate. */
  public static final int DEFAULT_MAX_PER_HOUR = 3_600;

  /**
   * The highest rate any source may be given: 200,000 samples in one hourly bucket are about 4.6
   * MB, well under MongoDB's 16 MiB document limit.
   */
  public static final int LIMIT_MAX_PER_HOUR = 200_000;

  /** Whether {@code value} lies in the source's valid range (inclusive). */
  public boolean accepts(double value) {
    return value >= min && value <= max;
  }
}
