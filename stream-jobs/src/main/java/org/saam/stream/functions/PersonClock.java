package org.saam.stream.functions;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.TimerService;

/**
 * A person's own clock for their feature windows (the streaming job), in keyed state: the home's
 * progress is its newest reading minus the allowed out-of-orderness; window ends and clean-up times
 * are due times that fire, in order, when the progress reaches them. One processing-time timer per
 * person watches for silence: after the idle timeout the progress moves up to the newest reading;
 * after the quiet period the home's open windows close as they are and its state goes.
 *
 * <p>Silence is measured from the home's last reading or from the moment this subtask started,
 * whichever is later: a job that was stopped for hours, restored with timers long past, gives every
 * home its full idle and quiet periods to send its backlog instead of closing them all at once.
 */
final class PersonClock {
  private final PersonFeatureWindows.PersonTime settings;
  private final ValueState<Long> newest;
  private final ValueState<Boolean> idle;
  private final ValueState<Long> closedUntil;
  private final ValueState<Long> lastSeen;
  private final ValueState<Long> wallTimer;
  private final MapState<Long, Boolean> due;
  // The earliest due time (Long.MAX_VALUE: none), so that a reading reads one value instead of
  // iterating the due times; absent in state of an earlier version, then found from the map.
  private final ValueState<Long> earliestDue;
  private long startedAt = Long.MIN_VALUE;

  PersonClock(RuntimeContext context, PersonFeatureWindows.PersonTime settings) {
    this.settings = settings;
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
    due = context.getMapState(new MapStateDescriptor<>("due-times", Types.LONG, Types.BOOLEAN));
    earliestDue = context.getState(new ValueStateDescriptor<>("earliest-due", Types.LONG));
  }

  /** The person's time: their home's progress, never before the last window closed as quiet. */
  long now() throws Exception {
    Long newestSeen = newest.value();
    long progress =
        newestSeen == null
            ? Long.MIN_VALUE
            : Boolean.TRUE.equals(idle.value())
                ? newestSeen
                : newestSeen - settings.outOfOrderness().toMillis();
    Long closed = closedUntil.value();
    return closed == null ? progress : Math.max(progress, closed);
  }

  /** The subtask's start, taken at its first reading or timer (processing time). */
  private long startedAt(TimerService timers) {
    if (startedAt == Long.MIN_VALUE) {
      startedAt = timers.currentProcessingTime();
    }
    return startedAt;
  }

  /** Notes a reading's arrival; keeps one processing-time timer for idleness. */
  void seen(long tsMillis, TimerService timers) throws Exception {
    startedAt(timers);
    Long newestSeen = newest.value();
    if (newestSeen == null || tsMillis > newestSeen) {
      newest.update(tsMillis);
    }
    if (idle.value() != null) {
      idle.clear();
    }
    long wallNow = timers.currentProcessingTime();
    lastSeen.update(wallNow);
    if (wallTimer.value() == null) {
      long at = wallNow + settings.idleTimeout().toMillis();
      timers.registerProcessingTimeTimer(at);
      wallTimer.update(at);
    }
  }

  void due(long time) throws Exception {
    if (due.contains(time)) {
      return;
    }
    long earliest = earliestDue();
    due.put(time, Boolean.TRUE);
    if (time < earliest) {
      earliestDue.update(time);
    }
  }

  private long earliestDue() throws Exception {
    Long known = earliestDue.value();
    if (known != null) {
      return known;
    }
    long earliest = Long.MAX_VALUE;
    for (Long time : due.keys()) {
      earliest = Math.min(earliest, time);
    }
    earliestDue.update(earliest);
    return earliest;
  }

  /** The earliest due time the person's time has reached, removed; null when none is. */
  Long nextDue() throws Exception {
    long earliest = earliestDue();
    if (earliest == Long.MAX_VALUE || earliest > now()) {
      return null;
    }
    due.remove(earliest);
    earliestDue.clear(); // found again from the map at the next look
    return earliest;
  }

  /** What the silence timer found. */
  enum Silence {
    /** A reading came since; the timer is set again. */
    NONE,
    /** Idle: the person's time moved up to the newest reading; due times may fire. */
    IDLE,
    /** Quiet: every due time must fire now, in order ({@link #closeQuiet}). */
    QUIET,
    /** Nothing of the person is kept: nothing to do. */
    GONE
  }

  /** Called at the processing-time timer. */
  Silence onTimer(long timestamp, TimerService timers) throws Exception {
    wallTimer.clear();
    Long seenAt = lastSeen.value();
    if (seenAt == null) {
      return Silence.GONE;
    }
    long since = Math.max(seenAt, startedAt(timers));
    long idleAt = since + settings.idleTimeout().toMillis();
    long quietAt = since + settings.quietAfter().toMillis();
    if (timestamp < idleAt) {
      arm(idleAt, timers);
      return Silence.NONE;
    }
    if (timestamp < quietAt) {
      idle.update(Boolean.TRUE);
      arm(quietAt, timers);
      return Silence.IDLE;
    }
    return Silence.QUIET;
  }

  private void arm(long at, TimerService timers) throws Exception {
    timers.registerProcessingTimeTimer(at);
    wallTimer.update(at);
  }

  /**
   * For a quiet home: every due time in order (the caller fires them), then the clock forgets
   * everything but the end of the last window closed, so that readings for it arriving later count
   * as late.
   */
  List<Long> closeQuiet() throws Exception {
    List<Long> times = new ArrayList<>();
    for (Long time : due.keys()) {
      times.add(time);
    }
    times.sort(null);
    long closed = closedUntil.value() == null ? Long.MIN_VALUE : closedUntil.value();
    for (long time : times) {
      closed = Math.max(closed, time);
    }
    due.clear();
    earliestDue.clear();
    if (closed != Long.MIN_VALUE) {
      closedUntil.update(closed);
    }
    newest.clear();
    idle.clear();
    lastSeen.clear();
    return times;
  }

  /** Everything, for an erased person. */
  void clear() {
    newest.clear();
    idle.clear();
    closedUntil.clear();
    lastSeen.clear();
    wallTimer.clear();
    due.clear();
    earliestDue.clear();
  }
}
