package org.saam.stream.options;

import java.io.Serializable;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.saam.common.codec.TimestampWindow;

/**
 * What the pipeline accepts: the catalogue, the timestamp window and the source rate limit.
 *
 * @param cataloguePath a catalogue YAML file, or {@code null} for the built-in one
 * @param maxFutureMillis how far ahead of arrival a timestamp may be
 * @param earliest timestamps before this are refused as past_timestamp
 * @param rateStateTtl how long a per-bucket reading count of the rate limit is kept
 */
public record ValidationOptions(
    String cataloguePath, long maxFutureMillis, Instant earliest, Duration rateStateTtl)
    implements Serializable {
  public static final String CATALOGUE = "catalogue";
  public static final String MAX_FUTURE = "validation.max-future-ms";
  public static final String EARLIEST = "validation.earliest";
  public static final String RATE_STATE_TTL = "limits.rate-state-ttl-ms";

  public static final List<Option> OPTIONS =
      List.of(
          new Option(CATALOGUE, "the built-in catalogue", "a catalogue YAML file to use instead"),
          new Option(
              MAX_FUTURE, "600000", "how far ahead of arrival a timestamp may be (at most 7 days)"),
          new Option(
              EARLIEST,
              "2000-01-01T00:00:00Z",
              "timestamps before this are refused as past_timestamp"),
          new Option(
              RATE_STATE_TTL,
              "10800000",
              "how long the per-bucket reading count of the source rate limit is kept after the"
                  + " bucket's last reading"));

  public ValidationOptions {
    OptionValues.readableFile(cataloguePath, CATALOGUE);
    OptionValues.range(maxFutureMillis, 0, 7L * 24 * 3_600_000, MAX_FUTURE);
    OptionValues.range(rateStateTtl.toMillis(), 60_000, 7L * 86_400_000, RATE_STATE_TTL);
    if (earliest.isBefore(Instant.EPOCH)
        || earliest.isAfter(Instant.parse("2100-01-01T00:00:00Z"))) {
      throw new IllegalArgumentException(
          "option --" + EARLIEST + " must lie between 1970 and 2100, was " + earliest);
    }
  }

  /** Reads the options, with the defaults above. */
  public static ValidationOptions from(OptionValues values) {
    return new ValidationOptions(
        values.text(CATALOGUE, null),
        values.millis(MAX_FUTURE, Duration.ofMinutes(10)).toMillis(),
        values.instant(EARLIEST, TimestampWindow.DEFAULT_EARLIEST),
        values.millis(RATE_STATE_TTL, Duration.ofHours(3)));
  }

  /** The instants a reading's timestamp must lie in. */
  public TimestampWindow timestampWindow() {
    return new TimestampWindow(earliest, Duration.ofMillis(maxFutureMillis));
  }
}
