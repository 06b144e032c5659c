package org.saam.common.store;

import java.util.List;

/**
 * The indexes the queries rely on (ARCHITECTURE.md, section 3). Creating them is idempotent; the
 * feature views create them at start.
 */
public final class StoreIndexes {
  private StoreIndexes() {}

  /**
   * One index.
   *
   * @param collection where it is
   * @param name its name
   * @param ascendingKeys its keys, all ascending, in order
   */
  public record IndexSpec(String collection, String name, List<String> ascendingKeys) {}

  public static final List<IndexSpec> ALL =
      List.of(
          new IndexSpec(
              MeasurementBuckets.COLLECTION,
              "source_location_hour",
              List.of(
                  MeasurementBuckets.SOURCE_ID,
                  MeasurementBuckets.LOCATION_ID,
                  MeasurementBuckets.HOUR)),
          new IndexSpec(
              MeasurementBuckets.COLLECTION,
              "user_hour",
              List.of(MeasurementBuckets.USER_ID, MeasurementBuckets.HOUR)),
          new IndexSpec(
              FeatureRecord.COLLECTION,
              "user_source_window",
              List.of(FeatureRecord.USER_ID, FeatureRecord.SOURCE_ID, FeatureRecord.WINDOW_START)));
}
