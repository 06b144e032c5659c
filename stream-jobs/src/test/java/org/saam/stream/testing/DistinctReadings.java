package org.saam.stream.testing;

import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.saam.common.codec.ReadingBatchCodec;
import org.saam.common.records.Reading;
import org.saam.stream.features.FeatureValue;
import org.saam.stream.features.FeatureWindow;
import org.saam.stream.features.Sample;
import org.saam.stream.features.WindowFeatures;

/**
 * The distinct readings of a home's published messages (each source and timestamp once, whatever
 * was sent twice) and the features of a window computed over them: what the pipeline must store.
 */
public final class DistinctReadings {
  private final Map<String, TreeMap<Long, Double>> bySource = new HashMap<>();

  /** Adds every reading of valid gateway payloads; messages the codec refuses are skipped. */
  public static DistinctReadings of(List<byte[]> payloads) {
    DistinctReadings readings = new DistinctReadings();
    ReadingBatchCodec codec = new ReadingBatchCodec();
    for (byte[] payload : payloads) {
      try {
        for (Reading reading : codec.decode(payload).batch().readings()) {
          readings
              .bySource
              .computeIfAbsent(reading.sourceId(), s -> new TreeMap<>())
              .put(reading.ts().toEpochMilli(), reading.value());
        }
      } catch (Exception refused) {
        // A fault message (malformed, oversize): the pipeline refuses it too.
      }
    }
    return readings;
  }

  private Map<String, List<Sample>> within(FeatureWindow window) {
    Map<String, List<Sample>> inside = new HashMap<>();
    bySource.forEach(
        (source, samples) -> {
          List<Sample> list = new ArrayList<>();
          samples
              .subMap(window.start().toEpochMilli(), window.end().toEpochMilli())
              .forEach((ts, value) -> list.add(new Sample(ts, value)));
          inside.put(source, list);
        });
    return inside;
  }

  /** The features of a day, by feature source id. */
  public Map<String, FeatureValue> day(FeatureWindow day) {
    Map<String, Double> roomBefore = new HashMap<>();
    for (String source : List.of("uwb.room", "ble.room")) {
      TreeMap<Long, Double> rooms = bySource.get(source);
      if (rooms != null && rooms.lowerEntry(day.start().toEpochMilli()) != null) {
        roomBefore.put(source, rooms.lowerEntry(day.start().toEpochMilli()).getValue());
      }
    }
    return flatten(WindowFeatures.day(day, within(day), roomBefore));
  }

  /** The features of a night, by feature source id. */
  public Map<String, FeatureValue> night(FeatureWindow night) {
    return flatten(WindowFeatures.night(night, within(night)));
  }

  /** The newest reading's timestamp. */
  public long newest() {
    return bySource.values().stream().mapToLong(TreeMap::lastKey).max().orElse(Long.MIN_VALUE);
  }

  /** Windows of a zone that have ended by the newest reading minus a margin. */
  public boolean ended(FeatureWindow window, long marginMillis) {
    return window.end().toEpochMilli() <= newest() - marginMillis;
  }

  public static ZoneId zone(String id) {
    return ZoneId.of(id);
  }

  private static Map<String, FeatureValue> flatten(Map<String, List<FeatureValue>> domains) {
    Map<String, FeatureValue> features = new TreeMap<>();
    domains.values().forEach(values -> values.forEach(v -> features.put(v.sourceId(), v)));
    return features;
  }
}
