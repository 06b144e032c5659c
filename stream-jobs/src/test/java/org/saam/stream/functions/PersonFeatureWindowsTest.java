package org.saam.stream.functions;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.saam.common.codec.ReadingBatchCodec;
import org.saam.common.records.Reading;
import org.saam.common.store.FeatureRecord;
import org.saam.ingestion.simulator.Simulation;
import org.saam.ingestion.simulator.SimulationSettings;
import org.saam.stream.features.DayFeatures;
import org.saam.stream.features.FeatureWindow;
import org.saam.stream.features.SleepFeatures;
import org.saam.stream.records.MeasuredReading;

class PersonFeatureWindowsTest {
  private static final long LATENESS = 3_600_000L;
  private final String person = UUID.randomUUID().toString();
  private KeyedOneInputStreamOperatorTestHarness<String, MeasuredReading, FeatureRecord> harness;

  @BeforeEach
  void open() throws Exception {
    harness =
        new KeyedOneInputStreamOperatorTestHarness<>(
            new KeyedProcessOperator<>(new PersonFeatureWindows(LATENESS)),
            MeasuredReading::userId,
            Types.STRING);
    harness.open();
  }

  @AfterEach
  void close() throws Exception {
    harness.close();
  }

  private MeasuredReading reading(String source, long ts, double value, String zone) {
    return new MeasuredReading("loc-1", "gw-1", 1, source, "x", ts, value, person, zone);
  }

  private Double latest(String source, Instant windowStart) {
    Double value = null;
    for (FeatureRecord record : harness.extractOutputValues()) {
      if (record.sourceId().equals(source)
          && record.windowStartMillis() == windowStart.toEpochMilli()) {
        value = record.value();
      }
    }
    return value;
  }

  @Test
  void emitsTheSimulatedPersonsFeaturesFromShuffledReadingsAndLeavesNoStateBehind()
      throws Exception {
    Simulation simulation =
        new Simulation(SimulationSettings.defaults().withHomes(1).withDays(2).withSeed(3));
    List<Reading> readings = new ArrayList<>();
    ReadingBatchCodec codec = new ReadingBatchCodec();
    simulation.run(
        message -> {
          try {
            readings.addAll(codec.decode(message.payload()).batch().readings());
          } catch (Exception e) {
            throw new AssertionError(e);
          }
        },
        Simulation.Pacer.FULL_SPEED);
    JsonNode home = simulation.report().get("homes").get(0);
    String zone = home.get("time_zone").asText();
    // Out of order within each hour: shuffle hour by hour, watermark after each hour.
    readings.sort((a, b) -> a.ts().compareTo(b.ts()));
    long hour = readings.get(0).ts().toEpochMilli() / 3_600_000L;
    List<Reading> chunk = new ArrayList<>();
    Random random = new Random(5);
    for (Reading reading : readings) {
      long readingHour = reading.ts().toEpochMilli() / 3_600_000L;
      if (readingHour != hour) {
        Collections.shuffle(chunk, random);
        for (Reading r : chunk) {
          harness.processElement(
              reading(r.sourceId(), r.ts().toEpochMilli(), r.value(), zone), r.ts().toEpochMilli());
        }
        chunk.clear();
        harness.processWatermark(new Watermark(readingHour * 3_600_000L - 1));
        hour = readingHour;
      }
      chunk.add(reading);
    }
    for (Reading r : chunk) {
      harness.processElement(
          reading(r.sourceId(), r.ts().toEpochMilli(), r.value(), zone), r.ts().toEpochMilli());
    }
    harness.processWatermark(new Watermark(Long.MAX_VALUE));

    ZoneId personZone = ZoneId.of(zone);
    var days = home.get("days").fields();
    while (days.hasNext()) {
      var day = days.next();
      Instant start = FeatureWindow.day(LocalDate.parse(day.getKey()), personZone).start();
      assertThat(latest(DayFeatures.STEPS, start))
          .as(day.getKey())
          .isEqualTo(day.getValue().get("steps").asDouble());
      assertThat(latest(DayFeatures.ROOM_TRANSITIONS, start))
          .isEqualTo(day.getValue().get("room_transitions").asDouble());
      assertThat(latest(DayFeatures.MEALS, start))
          .isEqualTo(day.getValue().get("meals").asDouble());
    }
    var nights = home.get("nights").fields();
    while (nights.hasNext()) {
      var night = nights.next();
      Instant start = FeatureWindow.night(LocalDate.parse(night.getKey()), personZone).start();
      assertThat(latest(SleepFeatures.TIME_IN_BED, start))
          .as(night.getKey())
          .isEqualTo(night.getValue().get("time_in_bed_min").asDouble());
    }
    assertThat(harness.numKeyedStateEntries()).isZero();
    assertThat(harness.numEventTimeTimers()).isZero();
  }

  @Test
  void aLateReadingWithinTheLatenessUpdatesTheFeatureAndALaterOneIsLeftToTheBackfill()
      throws Exception {
    String zone = "Europe/Sofia";
    FeatureWindow day = FeatureWindow.day(LocalDate.of(2026, 11, 10), ZoneId.of(zone));
    long noon = day.start().toEpochMilli() + 12 * 3_600_000L;
    harness.processElement(reading("bracelet.steps", noon, 100, zone), noon);
    harness.processWatermark(new Watermark(day.end().toEpochMilli()));
    assertThat(latest(DayFeatures.STEPS, day.start())).isEqualTo(100);

    harness.processElement(reading("bracelet.steps", noon + 60_000, 40, zone), noon + 60_000);
    assertThat(latest(DayFeatures.STEPS, day.start()))
        .as("updated within the lateness")
        .isEqualTo(140);

    long nightEnd = FeatureWindow.night(day.date(), ZoneId.of(zone)).end().toEpochMilli();
    harness.processWatermark(new Watermark(nightEnd + LATENESS));
    int emitted = harness.extractOutputValues().size();
    harness.processElement(reading("bracelet.steps", noon + 120_000, 40, zone), noon + 120_000);

    assertThat(harness.extractOutputValues()).as("too late: no new feature").hasSize(emitted);
    assertThat(latest(DayFeatures.STEPS, day.start())).isEqualTo(140);
    assertThat(harness.numKeyedStateEntries()).isZero();
  }

  @Test
  void readingsOfSourcesNoFeatureUsesAreIgnored() throws Exception {
    harness.processElement(reading("ambient.temperature_c", 1_000L, 21, "Europe/Rome"), 1_000L);
    harness.processWatermark(new Watermark(Long.MAX_VALUE));

    assertThat(harness.extractOutputValues()).isEmpty();
    assertThat(harness.numKeyedStateEntries()).isZero();
  }
}
