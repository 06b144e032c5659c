package org.saam.stream.features;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.saam.common.codec.ReadingBatchCodec;
import org.saam.common.records.Reading;
import org.saam.ingestion.simulator.Simulation;
import org.saam.ingestion.simulator.SimulationSettings;

/**
 * The feature functions against the simulator's ground truth for a seeded week of several homes (in
 * several European time zones): sleep within 5 %, the countable features exact, resting heart rate
 * within 2 bpm.
 */
class FeaturesGroundTruthTest {
  private static JsonNode truth;

  /** location -> source -> samples. */
  private static final Map<String, Map<String, List<Sample>>> READINGS = new HashMap<>();

  @BeforeAll
  static void simulateAWeek() throws Exception {
    Simulation simulation =
        new Simulation(SimulationSettings.defaults().withHomes(4).withDays(7).withSeed(7));
    ReadingBatchCodec codec = new ReadingBatchCodec();
    simulation.run(
        message -> {
          try {
            var batch = codec.decode(message.payload()).batch();
            for (Reading reading : batch.readings()) {
              READINGS
                  .computeIfAbsent(batch.locationId(), l -> new HashMap<>())
                  .computeIfAbsent(reading.sourceId(), s -> new ArrayList<>())
                  .add(new Sample(reading.ts().toEpochMilli(), reading.value()));
            }
          } catch (Exception e) {
            throw new AssertionError(e);
          }
        },
        Simulation.Pacer.FULL_SPEED);
    truth = simulation.report();
  }

  private static List<Sample> of(String location, String source) {
    return READINGS.get(location).getOrDefault(source, List.of());
  }

  private static double value(List<FeatureValue> features, String id) {
    return features.stream().filter(f -> f.sourceId().equals(id)).findFirst().orElseThrow().value();
  }

  @Test
  void sleepFeaturesMatchTheNightsThatWereSimulated() {
    int nights = 0;
    for (JsonNode home : truth.get("homes")) {
      String location = home.get("location_id").asText();
      ZoneId zone = ZoneId.of(home.get("time_zone").asText());
      var it = home.get("nights").fields();
      while (it.hasNext()) {
        var night = it.next();
        List<FeatureValue> features =
            SleepFeatures.compute(
                FeatureWindow.night(LocalDate.parse(night.getKey()), zone),
                of(location, "bed.presence"),
                of(location, "bed.movement"));
        JsonNode expected = night.getValue();
        String what = location + " night of " + night.getKey();
        assertThat(value(features, SleepFeatures.TIME_IN_BED))
            .as(what)
            .isCloseTo(
                expected.get("time_in_bed_min").asDouble(),
                within(0.05 * expected.get("time_in_bed_min").asDouble()));
        assertThat(value(features, SleepFeatures.TOTAL_SLEEP))
            .as(what)
            .isCloseTo(
                expected.get("total_sleep_min").asDouble(),
                within(0.05 * expected.get("total_sleep_min").asDouble()));
        assertThat(value(features, SleepFeatures.BED_EXITS))
            .as(what)
            .isEqualTo(expected.get("bed_exits").asDouble());
        nights++;
      }
    }
    assertThat(nights).isEqualTo(4 * 7);
  }

  @Test
  void dayFeaturesMatchTheDaysThatWereSimulated() {
    int days = 0;
    for (JsonNode home : truth.get("homes")) {
      String location = home.get("location_id").asText();
      ZoneId zone = ZoneId.of(home.get("time_zone").asText());
      String roomSource = home.get("room_sensor").asText() + ".room";
      var it = home.get("days").fields();
      while (it.hasNext()) {
        var entry = it.next();
        FeatureWindow day = FeatureWindow.day(LocalDate.parse(entry.getKey()), zone);
        JsonNode expected = entry.getValue();
        String what = location + " on " + entry.getKey();
        Double roomBefore =
            of(location, roomSource).stream()
                .filter(s -> s.tsMillis() < day.start().toEpochMilli())
                .max(Sample::compareTo)
                .map(Sample::value)
                .orElse(null);

        List<FeatureValue> activity =
            DayFeatures.activity(day, of(location, "bracelet.steps"), of(location, "bed.presence"));
        List<FeatureValue> mobility =
            DayFeatures.mobility(day, of(location, roomSource), roomBefore);
        List<FeatureValue> cardio =
            DayFeatures.cardiovascular(
                day, of(location, "ecg.hr"), of(location, "ecg.rr_interval"));
        List<FeatureValue> social =
            DayFeatures.social(
                day, of(location, "av.voice_activity"), of(location, "smartphone.call"));
        List<FeatureValue> nutrition =
            DayFeatures.nutrition(day, of(location, "foodscale.weight_delta"));

        assertThat(value(activity, DayFeatures.STEPS))
            .as(what)
            .isEqualTo(expected.get("steps").asDouble());
        assertThat(value(activity, DayFeatures.ACTIVE_MIN))
            .as(what)
            .isEqualTo(expected.get("active_min").asDouble());
        assertThat(value(activity, DayFeatures.LONGEST_SEDENTARY))
            .as(what)
            .isEqualTo(expected.get("longest_sedentary_min").asDouble());
        assertThat(value(mobility, DayFeatures.ROOM_TRANSITIONS))
            .as(what)
            .isEqualTo(expected.get("room_transitions").asDouble());
        assertThat(value(mobility, DayFeatures.OUT_OF_HOME))
            .as(what)
            .isEqualTo(expected.get("time_out_of_home_min").asDouble());
        assertThat(value(cardio, DayFeatures.RESTING_HR))
            .as(what)
            .isCloseTo(expected.get("resting_hr").asDouble(), within(2.0));
        assertThat(value(cardio, DayFeatures.HRV_RMSSD)).as(what).isBetween(5.0, 200.0);
        assertThat(value(social, DayFeatures.CALLS))
            .as(what)
            .isEqualTo(expected.get("calls").asDouble());
        assertThat(value(social, DayFeatures.CONVERSATION))
            .as(what)
            .isEqualTo(expected.get("conversation_min").asDouble());
        assertThat(value(nutrition, DayFeatures.MEALS))
            .as(what)
            .isEqualTo(expected.get("meals").asDouble());
        assertThat(value(nutrition, DayFeatures.INTAKE))
            .as(what)
            .isCloseTo(expected.get("intake_g").asDouble(), within(0.01));
        if (!expected.get("game_score").isNull()) {
          assertThat(
                  value(
                      DayFeatures.cognitive(day, of(location, "smartphone.game_score")),
                      DayFeatures.GAME_SCORE))
              .as(what)
              .isCloseTo(expected.get("game_score").asDouble(), within(0.001));
        }
        days++;
      }
    }
    assertThat(days).isEqualTo(4 * 7);
  }
}
