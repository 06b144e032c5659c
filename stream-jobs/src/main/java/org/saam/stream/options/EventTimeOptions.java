package org.saam.stream.options;

import java.io.Serializable;
import java.time.Duration;
import java.util.List;
import org.saam.stream.functions.PersonFeatureWindows;

/**
 * Event time: each home's own clock for the feature windows, and the watermark that the coaching
 * quiet hours and the batch backfill still use.
 *
 * @param outOfOrderness how late a reading may arrive and still be on time
 * @param idleness after this without data a source split stops holding back the watermark
 * @param idleTimeout after this without a reading from a home (processing time) its time moves to
 *     its newest reading
 * @param quietAfter after this without a reading a home's open windows are emitted and its state
 *     cleared
 * @param featureLatenessMillis how long after a window's end late readings still update it
 */
public record EventTimeOptions(
    Duration outOfOrderness,
    Duration idleness,
    Duration idleTimeout,
    Duration quietAfter,
    long featureLatenessMillis)
    implements Serializable {
  public static final String OUT_OF_ORDERNESS = "watermark.out-of-orderness-ms";
  public static final String IDLENESS = "watermark.idleness-ms";
  public static final String IDLE_TIMEOUT = "event-time.idle-timeout-ms";
  public static final String QUIET_AFTER = "event-time.quiet-after-ms";
  public static final String FEATURE_LATENESS = "features.allowed-lateness-ms";

  public static final List<Option> OPTIONS =
      List.of(
          new Option(
              OUT_OF_ORDERNESS, "120000", "how late a reading may arrive and still be on time"),
          new Option(
              IDLE_TIMEOUT,
              "1800000",
              "after this without a reading from a home (processing time) its time moves to its"
                  + " newest reading"),
          new Option(
              QUIET_AFTER,
              "259200000",
              "after this without a reading a home's open feature windows are emitted as they are"
                  + " and its state is cleared"),
          new Option(
              FEATURE_LATENESS,
              "7200000",
              "how long after a window's end late readings still update its features"),
          new Option(
              IDLENESS,
              "60000",
              "after this without data a source split stops holding back the watermark"));

  public EventTimeOptions {
    OptionValues.range(outOfOrderness.toMillis(), 0, 86_400_000, OUT_OF_ORDERNESS);
    OptionValues.range(idleness.toMillis(), 1, 86_400_000, IDLENESS);
    OptionValues.range(featureLatenessMillis, 0, 86_400_000, FEATURE_LATENESS);
    OptionValues.range(idleTimeout.toMillis(), 1_000, 86_400_000, IDLE_TIMEOUT);
    OptionValues.range(quietAfter.toMillis(), 60_000, 365L * 86_400_000, QUIET_AFTER);
    if (quietAfter.compareTo(idleTimeout) < 0) {
      throw new IllegalArgumentException(
          "option --" + QUIET_AFTER + " must not be shorter than --" + IDLE_TIMEOUT);
    }
  }

  /** Reads the options, with the defaults above. */
  public static EventTimeOptions from(OptionValues values) {
    return new EventTimeOptions(
        values.millis(OUT_OF_ORDERNESS, Duration.ofMinutes(2)),
        values.millis(IDLENESS, Duration.ofMinutes(1)),
        values.millis(IDLE_TIMEOUT, Duration.ofMinutes(30)),
        values.millis(QUIET_AFTER, Duration.ofDays(3)),
        values.millis(FEATURE_LATENESS, Duration.ofHours(2)).toMillis());
  }

  /** Each home's own clock for the feature windows. */
  public PersonFeatureWindows.PersonTime personTime() {
    return new PersonFeatureWindows.PersonTime(outOfOrderness, idleTimeout, quietAfter);
  }
}
