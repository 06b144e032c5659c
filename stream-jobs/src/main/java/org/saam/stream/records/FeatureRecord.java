package org.saam.stream.records;

/**
 * A feature of one person and window, as stored in {@code features} (ARCHITECTURE.md, section 3).
 *
 * @param userId the person
 * @param locationId where their readings of the window came from (the last one seen)
 * @param sourceId the feature, for example {@code feature.sleep.total_sleep_min}
 * @param domain its coaching domain, for example {@code sleep}
 * @param windowStartMillis window start, epoch milliseconds
 * @param windowEndMillis window end (exclusive)
 * @param timeZone the person's zone the window was cut in
 * @param value the value, or {@code null} without data
 * @param samples readings it was computed from
 * @param coverage share of the window with data
 * @param algoVersion version of the feature definitions
 */
public record FeatureRecord(
    String userId,
    String locationId,
    String sourceId,
    String domain,
    long windowStartMillis,
    long windowEndMillis,
    String timeZone,
    Double value,
    int samples,
    double coverage,
    int algoVersion) {}
