package org.saam.stream.features;

/**
 * One computed feature of one window.
 *
 * @param sourceId the feature's source id, for example {@code feature.sleep.time_in_bed_min}
 * @param value the value, or {@code null} when the window has no data for it
 * @param samples how many readings it was computed from
 * @param coverage share of the window's minutes with data (0 to 1), so thin data is visible
 */
public record FeatureValue(String sourceId, Double value, int samples, double coverage) {

  /** The version of the feature definitions; stored with every feature document. */
  public static final int ALGO_VERSION = 1;
}
