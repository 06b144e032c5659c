package org.saam.ingestion.simulator;

import java.time.ZoneId;
import java.util.List;
import java.util.SplittableRandom;

/**
 * One simulated home and the person living there: the traits that shape their days.
 *
 * @param index 1-based number of the home in the simulation
 * @param locationId the home's location id
 * @param zone the person's time zone; days and nights are local
 * @param roomSensor {@code uwb} or {@code ble}: which indoor location system the home has
 * @param bedtimeMinute usual time of going to bed, minutes after local midnight
 * @param wakeMinute usual time of getting up, minutes after local midnight
 * @param restingHeartRate the person's resting heart rate, bpm
 * @param walkingSteps steps per minute when walking outside
 * @param sociability 0..1, drives calls and visits
 */
public record Household(
    int index,
    String locationId,
    ZoneId zone,
    String roomSensor,
    int bedtimeMinute,
    int wakeMinute,
    double restingHeartRate,
    int walkingSteps,
    double sociability) {

  private static final List<ZoneId> ZONES =
      List.of(
          ZoneId.of("Europe/Ljubljana"),
          ZoneId.of("Europe/Sofia"),
          ZoneId.of("Europe/Madrid"),
          ZoneId.of("Europe/London"),
          ZoneId.of("Europe/Rome"));

  /** The {@code index}-th home of a simulation with this seed; the same inputs, the same home. */
  public static Household generate(long seed, int index, String locationPrefix) {
    SplittableRandom random = new SplittableRandom(seed * 1_000_003L + index);
    return new Household(
        index,
        String.format("%s%04d", locationPrefix, index),
        ZONES.get((index - 1) % ZONES.size()),
        index % 2 == 1 ? "uwb" : "ble",
        21 * 60 + 30 + random.nextInt(0, 90),
        6 * 60 + random.nextInt(0, 120),
        52 + random.nextInt(0, 20),
        90 + random.nextInt(0, 30),
        0.2 + random.nextDouble() * 0.8);
  }
}
