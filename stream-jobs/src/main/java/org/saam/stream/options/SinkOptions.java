package org.saam.stream.options;

import java.io.Serializable;
import java.util.List;

/**
 * Where the views are written: MongoDB and how the sinks batch their writes.
 *
 * @param mongoUri MongoDB
 * @param database database of the views
 * @param batchSize writes per bulk request of the measurements sink
 * @param batchIntervalMs longest wait before a partial batch is written
 * @param groupMaxReadings readings grouped per bucket at most before the groups go to the writer
 */
public record SinkOptions(
    String mongoUri, String database, int batchSize, long batchIntervalMs, int groupMaxReadings)
    implements Serializable {
  public static final String MONGO_URI = "mongo.uri";
  public static final String DATABASE = "mongo.database";
  public static final String BATCH_SIZE = "sink.batch-size";
  public static final String BATCH_INTERVAL = "sink.batch-interval-ms";
  public static final String GROUP_MAX_READINGS = "sink.group-max-readings";

  /** The longest a reading waits to be grouped with others of its bucket. */
  public static final long GROUP_FLUSH_INTERVAL_MS = 200;

  public static final List<Option> OPTIONS =
      List.of(
          new Option(MONGO_URI, "env SAAM_MONGO_URI, else mongodb://127.0.0.1:27017", "MongoDB"),
          new Option(DATABASE, "saam", "database of the views"),
          new Option(BATCH_SIZE, "1000", "writes per bulk request"),
          new Option(BATCH_INTERVAL, "250", "longest wait before a partial batch is written"),
          new Option(
              GROUP_MAX_READINGS,
              "5000",
              "readings grouped per bucket (one upsert per bucket) before they go to the writer;"
                  + " groups also go at every watermark and checkpoint and after 200 ms"));

  public SinkOptions {
    OptionValues.require(mongoUri, MONGO_URI);
    OptionValues.require(database, DATABASE);
    OptionValues.scheme(mongoUri, MONGO_URI, "mongodb://", "mongodb+srv://");
    OptionValues.range(batchSize, 1, 100_000, BATCH_SIZE);
    OptionValues.range(batchIntervalMs, 1, 600_000, BATCH_INTERVAL);
    OptionValues.range(groupMaxReadings, 1, 1_000_000, GROUP_MAX_READINGS);
  }

  /** Reads the options, with the defaults above. */
  public static SinkOptions from(OptionValues values) {
    return new SinkOptions(
        values.text(MONGO_URI, "SAAM_MONGO_URI", "mongodb://127.0.0.1:27017"),
        values.text(DATABASE, "saam"),
        values.integer(BATCH_SIZE, 1000),
        values.millis(BATCH_INTERVAL, java.time.Duration.ofMillis(250)).toMillis(),
        values.integer(GROUP_MAX_READINGS, 5000));
  }
}
