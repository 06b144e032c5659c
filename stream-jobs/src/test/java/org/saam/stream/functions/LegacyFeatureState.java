package org.saam.stream.functions;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.saam.common.codec.ReadingBatchCodec;
import org.saam.common.records.Reading;
import org.saam.ingestion.simulator.Simulation;
import org.saam.ingestion.simulator.SimulationSettings;
import org.saam.stream.records.MeasuredReading;

/**
 * The homes behind the snapshot of the first feature layout ({@link #SNAPSHOT}, a canonical
 * savepoint of the compute-features operator, written by {@code LegacyFeatureStateWriter} against
 * that layout; see the history of this folder): two simulated days of two people (seed 11), cut at
 * {@link #CUT}. The snapshot holds the state after the readings before the cut; the readings after
 * it are what the migrated operator is fed.
 */
final class LegacyFeatureState {
  static final String SNAPSHOT = "src/test/resources/state/person-feature-windows-v1.snapshot";
  static final long LATENESS = 2 * 3_600_000L;
  static final long WALL_CLOCK = 1_000L;
  static final int HOMES = 2;

  private LegacyFeatureState() {}

  /** Every reading of the simulated homes, joined to the person "person-<location id>". */
  static List<MeasuredReading> all() throws InterruptedException {
    Simulation simulation =
        new Simulation(SimulationSettings.defaults().withHomes(HOMES).withDays(2).withSeed(11));
    List<org.saam.common.records.ReadingBatch> batches = new ArrayList<>();
    ReadingBatchCodec codec = new ReadingBatchCodec();
    simulation.run(
        message -> {
          try {
            batches.add(codec.decode(message.payload()).batch());
          } catch (Exception e) {
            throw new AssertionError(e);
          }
        },
        Simulation.Pacer.FULL_SPEED);
    Map<String, String> zones = new HashMap<>();
    for (var home : simulation.report().get("homes")) {
      zones.put(home.get("location_id").asText(), home.get("time_zone").asText());
    }
    List<MeasuredReading> readings = new ArrayList<>();
    for (var batch : batches) {
      String location = batch.locationId();
      for (Reading reading : batch.readings()) {
        readings.add(
            new MeasuredReading(
                location,
                batch.gatewayId(),
                batch.seq(),
                reading.sourceId(),
                "sim",
                reading.ts().toEpochMilli(),
                reading.value(),
                "person-" + location,
                zones.get(location)));
      }
    }
    readings.sort(Comparator.comparingLong(MeasuredReading::tsMillis));
    return readings;
  }

  /** The cut: 30 hours after the first reading. */
  static long cut(List<MeasuredReading> all) {
    return Instant.ofEpochMilli(all.get(0).tsMillis()).plusSeconds(30 * 3600).toEpochMilli();
  }

  static List<MeasuredReading> beforeSnapshot() throws InterruptedException {
    List<MeasuredReading> all = all();
    long cut = cut(all);
    return all.stream().filter(r -> r.tsMillis() < cut).toList();
  }

  static List<MeasuredReading> afterSnapshot() throws InterruptedException {
    List<MeasuredReading> all = all();
    long cut = cut(all);
    return all.stream().filter(r -> r.tsMillis() >= cut).toList();
  }
}
