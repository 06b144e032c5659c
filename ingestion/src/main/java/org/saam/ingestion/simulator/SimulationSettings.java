package org.saam.ingestion.simulator;

import java.time.LocalDate;
import java.util.Set;

/**
 * What to simulate.
 *
 * @param locationPrefix location ids are this prefix and a four-digit number
 * @param homes how many homes, 1 to 9999
 * @param startDate the first local day; the night before it is simulated too
 * @param days how many local days
 * @param seed the random seed: the same settings give byte-identical payloads
 * @param batchSize most readings per MQTT message (at most 1000)
 * @param flushMinutes a gateway sends what it has at least every this many simulated minutes
 * @param faults which faults to inject
 * @param faultRate the share of batches that get a fault, 0 to 1
 * @param shortNights planted pattern: the nights that start on these local dates are short (in bed
 *     from about 00:30 to 04:45) in every home, for testing coaching rules
 */
public record SimulationSettings(
    String locationPrefix,
    int homes,
    LocalDate startDate,
    int days,
    long seed,
    int batchSize,
    int flushMinutes,
    Set<FaultKind> faults,
    double faultRate,
    Set<LocalDate> shortNights) {

  public SimulationSettings {
    if (!org.saam.common.codec.ReadingBatchCodec.IDENTIFIER
        .matcher((locationPrefix + "0001"))
        .matches()) {
      throw new IllegalArgumentException(
          "location prefix '" + locationPrefix + "' does not make valid location ids");
    }
    check(homes >= 1 && homes <= 9999, "homes must be between 1 and 9999, was " + homes);
    check(days >= 1 && days <= 366, "days must be between 1 and 366, was " + days);
    check(
        batchSize >= 1 && batchSize <= 1000,
        "batch size must be between 1 and 1000 (the contract's limit), was " + batchSize);
    check(
        flushMinutes >= 1 && flushMinutes <= 1440,
        "flush interval must be between 1 and 1440 minutes, was " + flushMinutes);
    check(faultRate >= 0 && faultRate <= 1, "fault rate must be between 0 and 1, was " + faultRate);
    faults = Set.copyOf(faults);
    shortNights = Set.copyOf(shortNights);
  }

  private static void check(boolean condition, String message) {
    if (!condition) {
      throw new IllegalArgumentException(message);
    }
  }

  /** Defaults: 3 homes, one week from 2026-11-09, seed 42, batches of 500, no faults. */
  public static SimulationSettings defaults() {
    return new SimulationSettings(
        "loc-", 3, LocalDate.of(2026, 11, 9), 7, 42, 500, 5, Set.of(), 0.02, Set.of());
  }

  public SimulationSettings withHomes(int value) {
    return new SimulationSettings(
        locationPrefix,
        value,
        startDate,
        days,
        seed,
        batchSize,
        flushMinutes,
        faults,
        faultRate,
        shortNights);
  }

  public SimulationSettings withDays(int value) {
    return new SimulationSettings(
        locationPrefix,
        homes,
        startDate,
        value,
        seed,
        batchSize,
        flushMinutes,
        faults,
        faultRate,
        shortNights);
  }

  public SimulationSettings withSeed(long value) {
    return new SimulationSettings(
        locationPrefix,
        homes,
        startDate,
        days,
        value,
        batchSize,
        flushMinutes,
        faults,
        faultRate,
        shortNights);
  }

  public SimulationSettings withLocationPrefix(String value) {
    return new SimulationSettings(
        value,
        homes,
        startDate,
        days,
        seed,
        batchSize,
        flushMinutes,
        faults,
        faultRate,
        shortNights);
  }

  public SimulationSettings withStartDate(LocalDate value) {
    return new SimulationSettings(
        locationPrefix,
        homes,
        value,
        days,
        seed,
        batchSize,
        flushMinutes,
        faults,
        faultRate,
        shortNights);
  }

  public SimulationSettings withBatchSize(int value) {
    return new SimulationSettings(
        locationPrefix,
        homes,
        startDate,
        days,
        seed,
        value,
        flushMinutes,
        faults,
        faultRate,
        shortNights);
  }

  public SimulationSettings withFaults(Set<FaultKind> value, double rate) {
    return new SimulationSettings(
        locationPrefix,
        homes,
        startDate,
        days,
        seed,
        batchSize,
        flushMinutes,
        value,
        rate,
        shortNights);
  }

  /** Plants short nights (see {@link #shortNights()}). */
  public SimulationSettings withShortNights(Set<LocalDate> value) {
    return new SimulationSettings(
        locationPrefix,
        homes,
        startDate,
        days,
        seed,
        batchSize,
        flushMinutes,
        faults,
        faultRate,
        value);
  }
}
