package org.saam.common.codec;

import java.io.Serializable;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * The instants the platform accepts in a gateway payload ({@code sent_at} and every reading's
 * {@code ts}): not before {@link #earliest()}, and not further than {@link #maxFutureSkew()} after
 * the moment the platform received the message (gateway clocks drift, but not by days).
 *
 * <p>The format itself (a four-digit year, see the JSON Schema) already keeps every accepted
 * instant inside the epoch-millisecond range; the window keeps nonsense such as a gateway clock
 * reset to 1970 out of the stores.
 *
 * @param earliest the first accepted instant; default {@link #DEFAULT_EARLIEST}
 * @param maxFutureSkew how far after receipt a timestamp may lie; default 10 minutes
 */
public record TimestampWindow(Instant earliest, Duration maxFutureSkew) implements Serializable {
  /** 2000-01-01T00:00:00Z: no SAAM gateway has data from before this. */
  public static final Instant DEFAULT_EARLIEST = Instant.parse("2000-01-01T00:00:00Z");

  /** The default future skew: 10 minutes. */
  public static final Duration DEFAULT_MAX_FUTURE_SKEW = Duration.ofMinutes(10);

  /** The last instant the four-digit-year format can express. */
  public static final Instant LATEST_EXPRESSIBLE = Instant.parse("9999-12-31T23:59:59.999Z");

  public TimestampWindow {
    Objects.requireNonNull(earliest, "earliest");
    Objects.requireNonNull(maxFutureSkew, "maxFutureSkew");
    if (earliest.isBefore(Instant.EPOCH) || earliest.isAfter(LATEST_EXPRESSIBLE)) {
      throw new IllegalArgumentException(
          "earliest accepted timestamp must lie between 1970 and 9999, was " + earliest);
    }
    if (maxFutureSkew.isNegative() || maxFutureSkew.compareTo(Duration.ofDays(7)) > 0) {
      throw new IllegalArgumentException(
          "the allowed future skew must be between 0 and 7 days, was " + maxFutureSkew);
    }
  }

  /** The documented defaults: from 2000-01-01, at most 10 minutes ahead of receipt. */
  public static TimestampWindow defaults() {
    return new TimestampWindow(DEFAULT_EARLIEST, DEFAULT_MAX_FUTURE_SKEW);
  }

  /** The same window with another future skew. */
  public TimestampWindow withMaxFutureSkew(Duration skew) {
    return new TimestampWindow(earliest, skew);
  }
}
