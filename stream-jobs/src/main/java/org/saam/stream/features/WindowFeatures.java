package org.saam.stream.features;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every feature of one window, by domain, from the window's readings by source: what the
 * compute-features operator emits when a window closes. A plain function, so that a property test
 * can hold the operator's output against it.
 */
public final class WindowFeatures {
  private WindowFeatures() {}

  /**
   * The sleep domain of a night.
   *
   * @param readings samples by source id; sources without readings may be absent
   */
  public static Map<String, List<FeatureValue>> night(
      FeatureWindow night, Map<String, List<Sample>> readings) {
    return Map.of(
        "sleep",
        SleepFeatures.compute(night, of(readings, "bed.presence"), of(readings, "bed.movement")));
  }

  /**
   * The activity, mobility, cardiovascular, social, cognitive and nutrition domains of a day.
   * Mobility reads {@code uwb.room}, or {@code ble.room} in a home whose day has only that.
   *
   * @param readings samples by source id; sources without readings may be absent
   * @param roomBefore the last room reading before the day, by room source id (may be absent)
   */
  public static Map<String, List<FeatureValue>> day(
      FeatureWindow day, Map<String, List<Sample>> readings, Map<String, Double> roomBefore) {
    String roomSource =
        of(readings, "uwb.room").isEmpty() && !of(readings, "ble.room").isEmpty()
            ? "ble.room"
            : "uwb.room";
    Map<String, List<FeatureValue>> domains = new LinkedHashMap<>();
    domains.put(
        "activity",
        DayFeatures.activity(day, of(readings, "bracelet.steps"), of(readings, "bed.presence")));
    domains.put(
        "mobility",
        DayFeatures.mobility(day, of(readings, roomSource), roomBefore.get(roomSource)));
    domains.put(
        "cardiovascular",
        DayFeatures.cardiovascular(day, of(readings, "ecg.hr"), of(readings, "ecg.rr_interval")));
    domains.put(
        "social",
        DayFeatures.social(
            day, of(readings, "av.voice_activity"), of(readings, "smartphone.call")));
    domains.put("cognitive", DayFeatures.cognitive(day, of(readings, "smartphone.game_score")));
    domains.put("nutrition", DayFeatures.nutrition(day, of(readings, "foodscale.weight_delta")));
    return domains;
  }

  private static List<Sample> of(Map<String, List<Sample>> readings, String source) {
    return readings.getOrDefault(source, List.of());
  }
}
