package org.saam.ingestion.gateway;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.saam.common.records.Reading;
import org.saam.common.records.ReadingBatch;

/**
 * A small, deterministic set of homes for the demo and the walking-skeleton tests: every minute a
 * bed sensor, a bracelet and, every five minutes, a room thermometer. The same seed gives the same
 * batches. (The full gateway simulator with daily routines and ground truth is its own component.)
 */
public final class DemoHomes {
  /** How many minutes of readings one batch carries. */
  public static final int MINUTES_PER_BATCH = 10;

  private final String locationPrefix;
  private final int homes;
  private final Instant start;
  private final Duration span;
  private final long seed;

  /**
   * @param locationPrefix the location ids are this prefix and a four-digit number, {@code loc-}
   *     gives {@code loc-0001} onwards
   * @param homes number of homes
   * @param start the first minute
   * @param span how long to simulate, whole minutes
   * @param seed the random seed
   */
  public DemoHomes(String locationPrefix, int homes, Instant start, Duration span, long seed) {
    if (!org.saam.common.codec.ReadingBatchCodec.IDENTIFIER
        .matcher((locationPrefix + "0001"))
        .matches()) {
      throw new IllegalArgumentException(
          "location prefix '" + locationPrefix + "' does not make valid location ids");
    }
    if (homes < 1 || homes > 9999) {
      throw new IllegalArgumentException("homes must be between 1 and 9999, was " + homes);
    }
    if (span.toMinutes() < 1) {
      throw new IllegalArgumentException("span must be at least one minute, was " + span);
    }
    this.locationPrefix = locationPrefix;
    this.homes = homes;
    this.start = start;
    this.span = span;
    this.seed = seed;
  }

  /** The location id of home number {@code index} (1-based). */
  public String locationId(int index) {
    return String.format("%s%04d", locationPrefix, index);
  }

  /** Every batch of every home, ordered by home and then by time; {@code seq} starts at 1. */
  public List<ReadingBatch> batches() {
    List<ReadingBatch> batches = new ArrayList<>();
    long minutes = span.toMinutes();
    for (int home = 1; home <= homes; home++) {
      SplittableRandom random = new SplittableRandom(seed * 31 + home);
      String location = locationId(home);
      long seq = 0;
      for (long first = 0; first < minutes; first += MINUTES_PER_BATCH) {
        List<Reading> readings = new ArrayList<>();
        long last = Math.min(first + MINUTES_PER_BATCH, minutes);
        for (long minute = first; minute < last; minute++) {
          readings.addAll(minuteOfHome(start.plus(Duration.ofMinutes(minute)), random));
        }
        Instant sentAt = start.plus(Duration.ofMinutes(last)).plusMillis(random.nextInt(900));
        batches.add(new ReadingBatch("gw-" + location, location, sentAt, ++seq, readings));
      }
    }
    return batches;
  }

  private static List<Reading> minuteOfHome(Instant at, SplittableRandom random) {
    int hour = at.atZone(ZoneOffset.UTC).getHour();
    boolean night = hour >= 22 || hour < 7;
    boolean inBed = night && random.nextInt(60) != 0;
    List<Reading> readings = new ArrayList<>(4);
    readings.add(new Reading("bed.presence", at, inBed ? 1 : 0));
    readings.add(new Reading("bed.movement", at, inBed ? random.nextInt(0, 25) : 0));
    readings.add(
        new Reading("bracelet.steps", at, night ? random.nextInt(0, 3) : random.nextInt(0, 120)));
    if (at.getEpochSecond() % 300 == 0) {
      readings.add(new Reading("ambient.temperature_c", at, 19 + random.nextInt(0, 40) / 10.0));
    }
    return readings;
  }
}
