package org.saam.stream.records;

import org.saam.common.store.MeasurementBuckets;

/**
 * Readings of one measurement bucket (location, source, UTC hour, person), grouped to be written
 * with one upsert ({@link MeasurementBuckets#bucketUpsert}).
 *
 * @param tsMillis the samples' times, in arrival order
 * @param values their values, index by index
 */
public record BucketSamples(
    String locationId,
    String userId,
    String sourceId,
    String device,
    long hourStartMillis,
    long[] tsMillis,
    double[] values) {

  /** How many readings the group holds. */
  public int size() {
    return tsMillis.length;
  }
}
