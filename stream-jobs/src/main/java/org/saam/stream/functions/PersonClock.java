package org.saam.stream.functions;

import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.TimerService;

/**
 * A person's own clock for their feature windows (the streaming job): the home's progress is its
 * newest reading minus the allowed out-of-orderness; window ends and clean-up times are due times
 * that fire, in order, when the progress reaches them. One processing-time timer per person watches
 * for silence: after the idle timeout the progress moves up to the newest reading; after the quiet
 * period the home's open windows close as they are and its state goes.
 *
 * <p>Silence is measured from the home's last reading or from the moment this subtask started,
 * whichever is later: a job that was stopped for hours, restored with timers long past, gives every
 * home its full idle and quiet periods to send its backlog instead of closing them all at once.
 *
 * <p>The clock's scalars live in the caller's {@link PersonState} (read and written once per
 * reading); the due times in a map of their own, touched only when a window is added or fires.
 */
final class PersonClock {
  static final String DUE_STATE = "due-times";

  private final PersonFeatureWindows.PersonTime settings;
  private final MapState<Long, Boolean> due;
  private long startedAt = Long.MIN_VALUE;

  PersonClock(RuntimeContext context, PersonFeatureWindows.PersonTime settings) {
    this.settings = settings;
    due = context.getMapState(new MapStateDescriptor<>(DUE_STATE, Types.LONG, Types.BOOLEAN));
  }

  /** The person's time: their home's progress, never before the last window closed as quiet. */
  long now(PersonState person) {
    long progress =
        person.newest == PersonState.NONE
            ? Long.MIN_VALUE
            : person.idle ? person.newest : person.newest - settings.outOfOrderness().toMillis();
    return person.closedUntil == PersonState.NONE
        ? progress
        : Math.max(progress, person.closedUntil);
  }

  /** The subtask's start, taken at its first reading or timer (processing time). */
  private long startedAt(TimerService timers) {
    if (startedAt == Long.MIN_VALUE) {
      startedAt = timers.currentProcessingTime();
    }
    return startedAt;
  }

  /** Notes a reading's arrival; keeps one processing-time timer for idleness. */
  void seen(PersonState person, long tsMillis, TimerService timers) {
    startedAt(timers);
    if (person.newest == PersonState.NONE || tsMillis > person.newest) {
      person.newest = tsMillis;
    }
    person.idle = false;
    long wallNow = timers.currentProcessingTime();
    person.lastSeen = wallNow;
    if (person.wallTimer == PersonState.NONE) {
      arm(person, wallNow + settings.idleTimeout().toMillis(), timers);
    }
  }

  void due(PersonState person, long time) throws Exception {
    if (due.contains(time)) {
      return;
    }
    long earliest = earliestDue(person);
    due.put(time, Boolean.TRUE);
    if (time < earliest) {
      person.earliestDue = time;
    }
  }

  private long earliestDue(PersonState person) throws Exception {
    if (person.earliestDue != PersonState.NONE) {
      return person.earliestDue;
    }
    long earliest = Long.MAX_VALUE;
    for (Long time : due.keys()) {
      earliest = Math.min(earliest, time);
    }
    person.earliestDue = earliest;
    return earliest;
  }

  /** The earliest due time the person's time has reached, removed; null when none is. */
  Long nextDue(PersonState person) throws Exception {
    long earliest = earliestDue(person);
    if (earliest == Long.MAX_VALUE || earliest > now(person)) {
      return null;
    }
    due.remove(earliest);
    person.earliestDue = PersonState.NONE; // found again from the map at the next look
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
  Silence onTimer(PersonState person, long timestamp, TimerService timers) {
    person.wallTimer = PersonState.NONE;
    if (person.lastSeen == PersonState.NONE) {
      return Silence.GONE;
    }
    long since = Math.max(person.lastSeen, startedAt(timers));
    long idleAt = since + settings.idleTimeout().toMillis();
    long quietAt = since + settings.quietAfter().toMillis();
    if (timestamp < idleAt) {
      arm(person, idleAt, timers);
      return Silence.NONE;
    }
    if (timestamp < quietAt) {
      person.idle = true;
      arm(person, quietAt, timers);
      return Silence.IDLE;
    }
    return Silence.QUIET;
  }

  private static void arm(PersonState person, long at, TimerService timers) {
    timers.registerProcessingTimeTimer(at);
    person.wallTimer = at;
  }

  /**
   * For a quiet home: every due time in order (the caller fires them), then the clock forgets
   * everything but the end of the last window closed, so that readings for it arriving later count
   * as late.
   */
  List<Long> closeQuiet(PersonState person) throws Exception {
    List<Long> times = new ArrayList<>();
    for (Long time : due.keys()) {
      times.add(time);
    }
    times.sort(null);
    for (long time : times) {
      person.closedUntil = Math.max(person.closedUntil, time);
    }
    due.clear();
    person.earliestDue = PersonState.NONE;
    person.newest = PersonState.NONE;
    person.idle = false;
    person.lastSeen = PersonState.NONE;
    return times;
  }

  /** The due times, for an erased person. */
  void clear() {
    due.clear();
  }
}
