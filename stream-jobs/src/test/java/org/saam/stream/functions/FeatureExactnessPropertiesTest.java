package org.saam.stream.functions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.booleans;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.longs;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;
import org.saam.common.store.FeatureRecord;
import org.saam.stream.features.FeatureValue;
import org.saam.stream.features.FeatureWindow;
import org.saam.stream.features.Sample;
import org.saam.stream.features.WindowFeatures;
import org.saam.stream.records.MeasuredReading;
import org.saam.stream.testing.StateBackends;

/**
 * Features are a function of the set of distinct readings: any home's readings, each delivered up
 * to three times and reordered at random within the allowed lateness, give exactly the features of
 * the distinct readings, for every feature, on RocksDB as in production.
 */
class FeatureExactnessPropertiesTest {
  private static final ZoneId ZONE = ZoneId.of("Europe/Ljubljana");
  private static final LocalDate FIRST_DAY = LocalDate.of(2026, 3, 28); // a clock change follows
  private static final long START = FIRST_DAY.atStartOfDay(ZONE).toInstant().toEpochMilli();
  private static final long LATENESS = Duration.ofHours(2).toMillis();
  private static final Duration OUT_OF_ORDER = Duration.ofMinutes(2);
  private static final int DAYS = 3;
  private static final String PERSON = "person-1";

  /**
   * A reading before it is delivered: source, time and a raw value mapped to the source's range.
   */
  record Spec(int source, long offsetMillis, int raw) {}

  private static Gen<Spec> specs() {
    Gen<Long> offsets =
        integers()
            .between(0, DAYS * 1440 - 1)
            .map(minute -> minute * 60_000L)
            .mix(longs().between(0, DAYS * 86_400_000L - 1));
    return integers()
        .between(0, FeatureReadings.SOURCES.size() - 1)
        .zip(offsets, integers().between(0, 400), Spec::new);
  }

  /** The value a source would send, from a raw number. */
  private static double value(String source, int raw) {
    return switch (source) {
      case "bed.presence", "av.voice_activity" -> raw % 2;
      case "bed.movement" -> raw % 101;
      case "bracelet.steps" -> raw % 160;
      case "uwb.room", "ble.room" -> raw % 5;
      case "ecg.hr" -> 40 + raw / 5.0;
      case "ecg.rr_interval" -> 350 + raw * 3;
      case "smartphone.call" -> 30 + raw;
      case "smartphone.game_score" -> raw % 101;
      default -> raw - 250.5; // foodscale.weight_delta
    };
  }

  @Test
  void duplicatedAndReorderedReadingsGiveTheFeaturesOfTheDistinctReadings() {
    qt().withExamples(40)
        .forAll(lists().of(specs()).ofSizeBetween(1, 400), longs().all(), booleans().all())
        .checkAssert(
            (specs, seed, ble) -> {
              try {
                check(specs, seed, ble);
              } catch (Exception e) {
                throw new AssertionError(e);
              }
            });
  }

  private void check(List<Spec> specs, long seed, boolean bleHome) throws Exception {
    // The distinct readings: one value per source and timestamp; a home has one room sensor.
    Map<String, MeasuredReading> distinct = new LinkedHashMap<>();
    for (Spec spec : specs) {
      String source = FeatureReadings.SOURCES.get(spec.source());
      if (source.endsWith(".room")) {
        source = bleHome ? "ble.room" : "uwb.room";
      }
      long ts = START + spec.offsetMillis();
      distinct.putIfAbsent(
          source + "|" + ts,
          new MeasuredReading(
              "home-1",
              "gw-1",
              1,
              source,
              "x",
              ts,
              value(source, spec.raw()),
              PERSON,
              ZONE.getId()));
    }
    // Delivered: each reading once to three times, each copy up to an hour after its time
    // (within the lateness), in the order of arrival.
    Random random = new Random(seed);
    List<long[]> arrivals = new ArrayList<>(); // {arrival, index}
    List<MeasuredReading> readings = new ArrayList<>(distinct.values());
    for (int i = 0; i < readings.size(); i++) {
      int copies = 1 + random.nextInt(3);
      for (int c = 0; c < copies; c++) {
        long delay = random.nextInt(4) == 0 ? random.nextInt(3_600_000) : random.nextInt(60_000);
        arrivals.add(new long[] {readings.get(i).tsMillis() + delay, i});
      }
    }
    arrivals.sort(Comparator.<long[]>comparingLong(a -> a[0]).thenComparingLong(a -> a[1]));

    Map<String, FeatureRecord> last = new HashMap<>();
    try (KeyedOneInputStreamOperatorTestHarness<String, MeasuredReading, FeatureRecord> harness =
        new KeyedOneInputStreamOperatorTestHarness<>(
            new PersonFeatureOperator(
                new PersonFeatureWindows(
                    LATENESS,
                    new PersonFeatureWindows.PersonTime(
                        OUT_OF_ORDER, Duration.ofMinutes(30), Duration.ofDays(3)))),
            MeasuredReading::userId,
            Types.STRING)) {
      harness.setStateBackend(StateBackends.rocksDb());
      harness.setProcessingTime(0);
      harness.open();
      for (long[] arrival : arrivals) {
        MeasuredReading reading = readings.get((int) arrival[1]);
        harness.processElement(reading, reading.tsMillis());
      }
      harness.setProcessingTime(Duration.ofDays(4).toMillis()); // quiet: every window closes
      for (FeatureRecord record : harness.extractOutputValues()) {
        last.put(record.sourceId() + "|" + record.windowStartMillis(), record);
      }
    }

    Map<String, List<Sample>> bySource = new HashMap<>();
    for (MeasuredReading r : distinct.values()) {
      bySource
          .computeIfAbsent(r.sourceId(), s -> new ArrayList<>())
          .add(new Sample(r.tsMillis(), r.value()));
    }
    bySource.values().forEach(list -> list.sort(null));

    // Every window holding a reading was emitted, and every emitted window equals the features of
    // the distinct readings.
    Set<LocalDate> dates = new TreeSet<>();
    for (MeasuredReading r : distinct.values()) {
      dates.add(Instant.ofEpochMilli(r.tsMillis()).atZone(ZONE).toLocalDate());
    }
    Map<String, FeatureValue> expected = new TreeMap<>();
    for (LocalDate date : dates) {
      FeatureWindow day = FeatureWindow.day(date, ZONE);
      WindowFeatures.day(day, within(bySource, day), roomBefore(bySource, day))
          .values()
          .forEach(
              values ->
                  values.forEach(
                      v -> expected.put(v.sourceId() + "|" + day.start().toEpochMilli(), v)));
      for (LocalDate nightDate : List.of(date.minusDays(1), date)) {
        FeatureWindow night = FeatureWindow.night(nightDate, ZONE);
        Map<String, List<Sample>> inNight = within(bySource, night);
        if (inNight.values().stream().anyMatch(l -> !l.isEmpty())) {
          WindowFeatures.night(night, inNight)
              .values()
              .forEach(
                  values ->
                      values.forEach(
                          v -> expected.put(v.sourceId() + "|" + night.start().toEpochMilli(), v)));
        }
      }
    }
    for (Map.Entry<String, FeatureValue> entry : expected.entrySet()) {
      FeatureRecord emitted = last.get(entry.getKey());
      assertThat(emitted).as("emitted: " + entry.getKey()).isNotNull();
      FeatureValue want = entry.getValue();
      assertThat(emitted.value()).as(entry.getKey()).isEqualTo(want.value());
      assertThat(emitted.samples()).as(entry.getKey() + " samples").isEqualTo(want.samples());
      assertThat(emitted.coverage()).as(entry.getKey() + " coverage").isEqualTo(want.coverage());
    }
  }

  private static Map<String, List<Sample>> within(
      Map<String, List<Sample>> bySource, FeatureWindow window) {
    Map<String, List<Sample>> inside = new HashMap<>();
    bySource.forEach(
        (source, samples) ->
            inside.put(
                source, samples.stream().filter(s -> window.contains(s.tsMillis())).toList()));
    return inside;
  }

  private static Map<String, Double> roomBefore(
      Map<String, List<Sample>> bySource, FeatureWindow day) {
    Map<String, Double> before = new HashMap<>();
    Sample latest = null;
    for (String source : List.of("uwb.room", "ble.room")) {
      for (Sample s : bySource.getOrDefault(source, List.of())) {
        if (s.tsMillis() < day.start().toEpochMilli()
            && (latest == null || s.tsMillis() > latest.tsMillis())) {
          latest = s;
        }
      }
    }
    if (latest != null) {
      before.put("uwb.room", latest.value());
      before.put("ble.room", latest.value());
    }
    return before;
  }
}
