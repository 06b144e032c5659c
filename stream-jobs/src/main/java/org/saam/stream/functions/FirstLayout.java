package org.saam.stream.functions;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.saam.stream.features.Sample;

/**
 * The compute-features operator's state as the first version kept it: a list of samples per local
 * date and source, and each of the person's values on its own. Declared as it was (names, types,
 * time to live), so that a savepoint of that version restores; {@link PersonFeatureOperator} moves
 * every person's first-layout state into the current one when the job starts.
 */
final class FirstLayout {
  static final String READINGS = "readings-by-date-and-source";
  static final List<String> NAMES =
      List.of(READINGS, "zone", "closed-until", "newest-reading", "last-seen");

  private final MapState<String, List<Sample>> readings; // "<date>|<source>" -> samples
  private final ValueState<String> zone;
  private final ValueState<String> location;
  private final ValueState<Long> newest;
  private final ValueState<Boolean> idle;
  private final ValueState<Long> closedUntil;
  private final ValueState<Long> lastSeen;
  private final ValueState<Long> wallTimer;

  FirstLayout(RuntimeContext context) {
    readings =
        context.getMapState(
            new MapStateDescriptor<>(
                READINGS, Types.STRING, Types.LIST(TypeInformation.of(Sample.class))));
    zone = context.getState(new ValueStateDescriptor<>("zone", Types.STRING));
    location = context.getState(new ValueStateDescriptor<>("location", Types.STRING));
    newest = context.getState(new ValueStateDescriptor<>("newest-reading", Types.LONG));
    idle = context.getState(new ValueStateDescriptor<>("idle", Types.BOOLEAN));
    ValueStateDescriptor<Long> closed = new ValueStateDescriptor<>("closed-until", Types.LONG);
    closed.enableTimeToLive(
        StateTtlConfig.newBuilder(Duration.ofDays(30))
            .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
            .build());
    closedUntil = context.getState(closed);
    lastSeen = context.getState(new ValueStateDescriptor<>("last-seen", Types.LONG));
    wallTimer = context.getState(new ValueStateDescriptor<>("wall-timer", Types.LONG));
  }

  /**
   * Moves the current person's first-layout state into {@code person} and the cells, clearing it.
   */
  void moveInto(PersonState person, FeatureReadings cells) throws Exception {
    for (Map.Entry<String, List<Sample>> entry : readings.entries()) {
      String source = entry.getKey().substring(entry.getKey().indexOf('|') + 1);
      if (!FeatureReadings.SOURCE_SET.contains(source)) {
        continue;
      }
      for (Sample sample : entry.getValue()) {
        cells.add(source, sample.tsMillis(), sample.value());
      }
    }
    if (zone.value() != null) {
      person.zone = zone.value();
    }
    if (location.value() != null) {
      person.location = location.value();
    }
    if (newest.value() != null) {
      person.newest = newest.value();
    }
    person.idle = person.idle || Boolean.TRUE.equals(idle.value());
    if (closedUntil.value() != null) {
      person.closedUntil = Math.max(person.closedUntil, closedUntil.value());
    }
    if (lastSeen.value() != null) {
      person.lastSeen = lastSeen.value();
    }
    if (wallTimer.value() != null) {
      person.wallTimer = wallTimer.value();
    }
    person.earliestDue = PersonState.NONE; // found from the due times, which stay as they were
    clear();
  }

  void clear() {
    readings.clear();
    zone.clear();
    location.clear();
    newest.clear();
    idle.clear();
    closedUntil.clear();
    lastSeen.clear();
    wallTimer.clear();
  }
}
