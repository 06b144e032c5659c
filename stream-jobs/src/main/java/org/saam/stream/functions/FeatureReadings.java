package org.saam.stream.functions;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.Types;
import org.saam.stream.features.Sample;
import org.saam.stream.features.SampleCell;

/**
 * The readings a person's open feature windows need, in keyed state: one map entry per source and
 * short time cell, each the cell's distinct samples as compact bytes ({@link SampleCell}). A
 * reading costs one read and one write of its cell, however long the day has run, and a reading
 * that arrives twice changes nothing. The per-minute sources (at most 600 readings an hour in the
 * catalogue) have 15-minute cells; the others one-minute cells.
 *
 * <p>The state layout is part of every savepoint: the order of {@link #SOURCES} and the cell widths
 * must never change; a new source goes at the end.
 */
final class FeatureReadings {
  /** The sources the features are computed from; the index is part of the state key. */
  static final List<String> SOURCES =
      List.of(
          "bed.presence",
          "bed.movement",
          "bracelet.steps",
          "uwb.room",
          "ble.room",
          "ecg.hr",
          "ecg.rr_interval",
          "av.voice_activity",
          "smartphone.call",
          "smartphone.game_score",
          "foodscale.weight_delta");

  /** Cell width in minutes, by source index (the catalogue's per-minute sources: 15). */
  private static final int[] CELL_MINUTES = {15, 15, 15, 1, 1, 15, 1, 15, 1, 1, 1};

  static final Set<String> SOURCE_SET = Set.copyOf(SOURCES);
  private static final Map<String, Integer> INDEX = new HashMap<>();

  static {
    for (int i = 0; i < SOURCES.size(); i++) {
      INDEX.put(SOURCES.get(i), i);
    }
  }

  static final String STATE_NAME = "feature-readings-by-source-and-cell";

  private final MapState<Long, byte[]> cells;
  private final ValueState<Double> roomBeforeKeptCells;

  FeatureReadings(RuntimeContext context) {
    cells =
        context.getMapState(
            new MapStateDescriptor<>(
                STATE_NAME, Types.LONG, PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
    roomBeforeKeptCells =
        context.getState(new ValueStateDescriptor<>("room-before-kept-days", Types.DOUBLE));
  }

  /** Cell width in milliseconds of a source. */
  static long cellMillis(String source) {
    return CELL_MINUTES[INDEX.get(source)] * 60_000L;
  }

  /** The map key of a source's cell: the source index in the top byte, the cell's start minute. */
  static long key(int source, long cellStartMillis) {
    return ((long) source << 56) | (Math.floorDiv(cellStartMillis, 60_000L) & ((1L << 56) - 1));
  }

  static int sourceOf(long key) {
    return (int) (key >>> 56);
  }

  static long cellStartOf(long key) {
    return ((key << 8) >> 8) * 60_000L;
  }

  /** What adding a reading did to the state. */
  enum Change {
    /** The reading opened a new cell. */
    NEW_CELL,
    /** The reading went into a cell that had others. */
    ADDED,
    /** The state had the reading already: nothing changed. */
    ALREADY_THERE,
    /** The reading's cell is full ({@link SampleCell#MAX_SAMPLES}): not kept. */
    CELL_FULL
  }

  /** Adds a reading of one of {@link #SOURCES}: one read and at most one write of its cell. */
  Change add(String source, long tsMillis, double value) throws Exception {
    int index = INDEX.get(source);
    long width = CELL_MINUTES[index] * 60_000L;
    long cellStart = Math.floorDiv(tsMillis, width) * width;
    long key = key(index, cellStart);
    byte[] cell = cells.get(key);
    SampleCell.Added added = SampleCell.add(cell, cellStart, tsMillis, value);
    switch (added.outcome()) {
      case CHANGED:
        cells.put(key, added.cell());
        return cell == null ? Change.NEW_CELL : Change.ADDED;
      case UNCHANGED:
        return Change.ALREADY_THERE;
      default:
        return Change.CELL_FULL;
    }
  }

  /** The readings of a window and the last room readings before it. */
  record Window(Map<String, List<Sample>> readings, Map<String, Double> roomBefore) {}

  /** Reads the readings from {@code from} (inclusive) to {@code to} (exclusive), in one pass. */
  Window between(long from, long to) throws Exception {
    Map<String, List<Sample>> readings = new HashMap<>();
    Map<String, Sample> latestRoom = new HashMap<>();
    for (Map.Entry<Long, byte[]> entry : cells.entries()) {
      int index = sourceOf(entry.getKey());
      String source = SOURCES.get(index);
      long cellStart = cellStartOf(entry.getKey());
      long cellEnd = cellStart + CELL_MINUTES[index] * 60_000L;
      boolean room = source.endsWith(".room");
      if ((cellEnd <= from && !room) || cellStart >= to) {
        continue;
      }
      for (Sample sample : SampleCell.decode(entry.getValue(), cellStart)) {
        if (sample.tsMillis() >= from && sample.tsMillis() < to) {
          readings.computeIfAbsent(source, s -> new ArrayList<>()).add(sample);
        } else if (room && sample.tsMillis() < from) {
          Sample latest = latestRoom.get(source);
          if (latest == null || sample.tsMillis() > latest.tsMillis()) {
            latestRoom.put(source, sample);
          }
        }
      }
    }
    Map<String, Double> roomBefore = new HashMap<>();
    Double forgotten = roomBeforeKeptCells.value();
    for (String source : List.of("uwb.room", "ble.room")) {
      Sample latest = latestRoom.get(source);
      Double value = latest != null ? Double.valueOf(latest.value()) : forgotten;
      if (value != null) {
        roomBefore.put(source, value);
      }
    }
    return new Window(readings, roomBefore);
  }

  /**
   * Lets go of every cell that ends at or before {@code boundary}, keeping the last room reading
   * among them for the next day's mobility.
   */
  void forgetBefore(long boundary) throws Exception {
    List<Long> gone = new ArrayList<>();
    Sample lastRoom = null;
    for (Map.Entry<Long, byte[]> entry : cells.entries()) {
      int index = sourceOf(entry.getKey());
      long cellStart = cellStartOf(entry.getKey());
      if (cellStart + CELL_MINUTES[index] * 60_000L > boundary) {
        continue;
      }
      gone.add(entry.getKey());
      if (SOURCES.get(index).endsWith(".room")) {
        List<Sample> samples = SampleCell.decode(entry.getValue(), cellStart);
        Sample last = samples.get(samples.size() - 1);
        if (lastRoom == null || last.tsMillis() > lastRoom.tsMillis()) {
          lastRoom = last;
        }
      }
    }
    for (Long key : gone) {
      cells.remove(key);
    }
    if (lastRoom != null) {
      roomBeforeKeptCells.update(lastRoom.value());
    }
  }

  boolean isEmpty() throws Exception {
    return cells.isEmpty();
  }

  void clear() {
    cells.clear();
    roomBeforeKeptCells.clear();
  }
}
