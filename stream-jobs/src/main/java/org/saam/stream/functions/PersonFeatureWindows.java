package org.saam.stream.functions;

import java.io.Serializable;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.TimeDomain;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.saam.common.store.FeatureRecord;
import org.saam.stream.features.FeatureValue;
import org.saam.stream.features.FeatureWindow;
import org.saam.stream.features.WindowFeatures;
import org.saam.stream.metrics.PipelineMetrics;
import org.saam.stream.people.ErasedPeople;
import org.saam.stream.records.MeasuredReading;

/**
 * Per person, cuts readings into that person's local nights (12:00 to 12:00) and days (00:00 to
 * 24:00) and emits the features of {@code org.saam.stream.features} when the person's time passes a
 * window's end. Readings that arrive late but within the allowed lateness update the window's
 * features (emitted again, same key); later ones are counted ({@code saam_readings_late_total}) and
 * left to the backfill job.
 *
 * <p>Two clocks:
 *
 * <ul>
 *   <li><b>Per person</b> (the streaming job, {@link PersonTime}): each person's time is their
 *       home's own progress, the newest reading seen minus the allowed out-of-orderness. A home
 *       that uploads days of backlog closes every window of it, in order; a home whose clock is off
 *       moves nobody else's windows. When a home sends nothing for the idle timeout (processing
 *       time), its time moves to its newest reading (nothing later is expected); after the quiet
 *       period its open windows are emitted as they are (their coverage shows what is missing) and
 *       its state is cleared, but for one number: the end of the last window emitted, so that
 *       readings for it arriving later count as late.
 *   <li><b>Watermark</b> (the batch backfill): event-time timers on the watermark, which in batch
 *       mode passes every window at the end of the input.
 * </ul>
 *
 * <p>State: the distinct readings of the person's recent local dates ({@link FeatureReadings}, one
 * map entry per source and short cell), removed once every window needing them is past its
 * lateness; the person's zone, home and clock in one {@link PersonState}; the due times. A reading
 * reads and writes its cell and the person's value once each; one that arrives twice changes no
 * state and emits nothing. State written by the first layout (a list of samples per date and
 * source, each clock value on its own) is moved into this one when the operator starts ({@link
 * PersonFeatureOperator}).
 */
public final class PersonFeatureWindows
    extends KeyedProcessFunction<String, MeasuredReading, FeatureRecord> {
  private static final long serialVersionUID = 1L;

  /** The sources the features are computed from. */
  public static final Set<String> SOURCES = FeatureReadings.SOURCE_SET;

  /**
   * The per-person clock's settings.
   *
   * @param outOfOrderness how far behind a home's newest reading another may arrive and be on time
   * @param idleTimeout after this without a reading (processing time) the home's time moves to its
   *     newest reading
   * @param quietAfter after this without a reading the home's open windows are emitted and its
   *     state is cleared
   */
  public record PersonTime(Duration outOfOrderness, Duration idleTimeout, Duration quietAfter)
      implements Serializable {
    public PersonTime {
      if (outOfOrderness.isNegative() || idleTimeout.isNegative() || quietAfter.isNegative()) {
        throw new IllegalArgumentException("person time durations must not be negative");
      }
      if (quietAfter.compareTo(idleTimeout) < 0) {
        throw new IllegalArgumentException(
            "the quiet period (" + quietAfter + ") must not be shorter than the idle timeout");
      }
    }
  }

  private final long allowedLatenessMillis;
  private final PersonTime personTime;
  private final ErasedPeople.Factory erasedPeopleFactory;

  private transient FeatureReadings readings;
  private transient ValueState<PersonState> person;
  private transient PersonClock clock; // null on the watermark
  private transient FirstLayout firstLayout;
  private transient LocalWindows windows;
  private transient Counter tooLate;
  private transient Counter duplicates;
  private transient Counter cellFull;
  private transient Counter windowsEmitted;
  private transient Counter homesQuiet;
  private transient ErasedPeople erasedPeople;
  private transient Counter erasedDropped;

  /** On the watermark (the batch backfill). */
  public PersonFeatureWindows(long allowedLatenessMillis) {
    this(allowedLatenessMillis, null, ErasedPeople.NONE);
  }

  /**
   * @param personTime each person's own clock (the streaming job), or {@code null} for the
   *     watermark
   */
  public PersonFeatureWindows(long allowedLatenessMillis, PersonTime personTime) {
    this(allowedLatenessMillis, personTime, ErasedPeople.NONE);
  }

  /**
   * @param personTime each person's own clock (the streaming job), or {@code null} for the
   *     watermark
   * @param erasedPeople who was erased: their readings are dropped, their state cleared at their
   *     next reading or timer (the per-person clock always has one), nothing of theirs emitted
   */
  public PersonFeatureWindows(
      long allowedLatenessMillis, PersonTime personTime, ErasedPeople.Factory erasedPeople) {
    this.allowedLatenessMillis = allowedLatenessMillis;
    this.personTime = personTime;
    this.erasedPeopleFactory = erasedPeople;
  }

  @Override
  public void open(Configuration parameters) throws Exception {
    erasedPeople = erasedPeopleFactory.open();
    var metrics = getRuntimeContext().getMetricGroup();
    erasedDropped = PipelineMetrics.erasedDropped(metrics);
    readings = new FeatureReadings(getRuntimeContext());
    ValueStateDescriptor<PersonState> personDescriptor =
        new ValueStateDescriptor<>(PERSON_STATE, PersonState.class);
    // A quiet home keeps only the end of its last window; after 30 days that goes too.
    personDescriptor.enableTimeToLive(
        StateTtlConfig.newBuilder(Duration.ofDays(30))
            .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
            .build());
    person = getRuntimeContext().getState(personDescriptor);
    clock = personTime == null ? null : new PersonClock(getRuntimeContext(), personTime);
    firstLayout = new FirstLayout(getRuntimeContext());
    windows = new LocalWindows();
    tooLate = PipelineMetrics.readingsLate(metrics);
    duplicates = metrics.counter("featureReadingsAlreadyKept");
    cellFull = metrics.counter("featureReadingsCellFull");
    windowsEmitted = metrics.counter("featureWindowsEmitted");
    homesQuiet = metrics.counter("quietHomesClosed");
  }

  @Override
  public void close() throws Exception {
    if (erasedPeople != null) {
      erasedPeople.close();
    }
  }

  /** The name of the person's value: zone, home and clock. */
  static final String PERSON_STATE = "person";

  /** The state names of the first layout, whose people {@link PersonFeatureOperator} moves. */
  static final List<String> FIRST_LAYOUT_STATES = FirstLayout.NAMES;

  /**
   * Moves the current person's state of the first layout into this one (a reading the old list held
   * twice is kept once). Called by {@link PersonFeatureOperator}, once per person with such state,
   * when the operator starts.
   */
  void migrateFirstLayout() throws Exception {
    PersonState current = person.value();
    PersonState moved = current == null ? new PersonState() : current;
    firstLayout.moveInto(moved, readings);
    person.update(moved);
  }

  /** Whether the current person was erased; if so, everything kept of them is dropped. */
  private boolean erased(Context context) throws Exception {
    if (!erasedPeople.contains(context.getCurrentKey())) {
      return false;
    }
    erasedDropped.inc();
    readings.clear();
    person.clear();
    firstLayout.clear();
    if (clock != null) {
      clock.clear();
    }
    return true;
  }

  /** The person's time: their home's progress, or the watermark. */
  private long now(PersonState state, Context context) {
    return clock == null ? context.timerService().currentWatermark() : clock.now(state);
  }

  /** Fires, in order, every due time the person's time has reached. */
  private void advance(PersonState state, String user, Collector<FeatureRecord> out)
      throws Exception {
    for (Long next = clock.nextDue(state); next != null; next = clock.nextDue(state)) {
      fire(state, next, user, out);
    }
  }

  @Override
  public void processElement(MeasuredReading reading, Context context, Collector<FeatureRecord> out)
      throws Exception {
    if (reading.userId() == null
        || reading.timeZone() == null
        || !SOURCES.contains(reading.sourceId())
        || erased(context)) {
      return;
    }
    PersonState state = person.value();
    if (state == null) {
      state = new PersonState();
    }
    LocalWindows.Dated dated = windows.of(reading.tsMillis(), reading.timeZone());
    if (clock != null) {
      clock.seen(state, reading.tsMillis(), context.timerService());
    }
    long now = now(state, context);
    // The last window this date feeds is the night starting on it; past its lateness, too late.
    if (dated.nightEnd() + allowedLatenessMillis <= now) {
      tooLate.inc();
      save(state);
      return;
    }
    FeatureReadings.Change change =
        readings.add(reading.sourceId(), reading.tsMillis(), reading.value());
    if (change == FeatureReadings.Change.ALREADY_THERE
        || change == FeatureReadings.Change.CELL_FULL) {
      (change == FeatureReadings.Change.CELL_FULL ? cellFull : duplicates).inc();
    } else {
      state.zone = reading.timeZone();
      state.location = reading.locationId();
      if (change == FeatureReadings.Change.NEW_CELL) {
        registerTimers(state, context, dated);
      }
      // Late but within the lateness: windows already emitted are emitted again, updated.
      if (dated.dayEnd() <= now) {
        emitDay(state, context.getCurrentKey(), FeatureWindow.day(dated.date(), dated.zone()), out);
      }
      if (reading.tsMillis() < dated.nightStart()) {
        if (dated.previousNightEnd() <= now) {
          emitNight(
              state,
              context.getCurrentKey(),
              FeatureWindow.night(dated.date().minusDays(1), dated.zone()),
              out);
        }
      } else if (dated.nightEnd() <= now) {
        emitNight(
            state, context.getCurrentKey(), FeatureWindow.night(dated.date(), dated.zone()), out);
      }
    }
    if (clock != null) {
      advance(state, context.getCurrentKey(), out);
    }
    save(state);
  }

  /** Writes the person's value, or drops it when nothing is left in it. */
  private void save(PersonState state) throws Exception {
    if (state.onlyClosedUntil() && state.closedUntil == PersonState.NONE) {
      person.clear();
    } else {
      person.update(state);
    }
  }

  /**
   * Window ends and the clean-up of a date; ends already passed have fired and are not set again.
   * Set again for every new cell of the date: due times and timers are kept once each.
   */
  private void registerTimers(PersonState state, Context context, LocalWindows.Dated dated)
      throws Exception {
    long now = now(state, context);
    long[] times = {
      dated.previousNightEnd(),
      dated.dayEnd(),
      dated.nightEnd(),
      dated.nightEnd() + allowedLatenessMillis
    };
    for (long time : times) {
      if (time > now) {
        if (clock == null) {
          context.timerService().registerEventTimeTimer(time);
        } else {
          clock.due(state, time);
        }
      }
    }
  }

  private long cleanupTime(LocalDate date, ZoneId personZone) {
    return FeatureWindow.night(date, personZone).end().toEpochMilli() + allowedLatenessMillis;
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext context, Collector<FeatureRecord> out)
      throws Exception {
    if (erased(context)) {
      return;
    }
    PersonState state = person.value();
    if (state == null) {
      return;
    }
    if (clock == null) {
      fire(state, timestamp, context.getCurrentKey(), out);
    } else if (context.timeDomain() == TimeDomain.PROCESSING_TIME) {
      onWallClock(state, timestamp, context, out);
    }
    save(state);
  }

  /** The idle and quiet checks of the per-person clock. */
  private void onWallClock(
      PersonState state, long timestamp, OnTimerContext context, Collector<FeatureRecord> out)
      throws Exception {
    switch (clock.onTimer(state, timestamp, context.timerService())) {
      case IDLE:
        advance(state, context.getCurrentKey(), out);
        return;
      case QUIET:
        // Quiet: emit what is open, as it is, and let the home go.
        homesQuiet.inc();
        for (long time : clock.closeQuiet(state)) {
          fire(state, time, context.getCurrentKey(), out);
        }
        readings.clear();
        state.zone = null;
        state.location = null;
        return;
      default:
        return;
    }
  }

  /** What happens at a window end or a clean-up time. */
  private void fire(PersonState state, long timestamp, String user, Collector<FeatureRecord> out)
      throws Exception {
    if (state.zone == null) {
      return;
    }
    ZoneId personZone = ZoneId.of(state.zone);
    LocalDate date = Instant.ofEpochMilli(timestamp - 1).atZone(personZone).toLocalDate();
    for (LocalDate candidate : List.of(date.minusDays(1), date)) {
      if (FeatureWindow.day(candidate, personZone).end().toEpochMilli() == timestamp) {
        emitDay(state, user, FeatureWindow.day(candidate, personZone), out);
      }
      if (FeatureWindow.night(candidate, personZone).end().toEpochMilli() == timestamp) {
        emitNight(state, user, FeatureWindow.night(candidate, personZone), out);
      }
    }
    for (LocalDate candidate : List.of(date.minusDays(2), date.minusDays(1), date)) {
      if (cleanupTime(candidate, personZone) == timestamp) {
        readings.forgetBefore(
            FeatureWindow.day(candidate.plusDays(1), personZone).start().toEpochMilli());
      }
    }
    if (readings.isEmpty()) {
      readings.clear(); // the last room reading of the cells let go
      state.zone = null;
      state.location = null;
    }
  }

  private void emitNight(
      PersonState state, String user, FeatureWindow night, Collector<FeatureRecord> out)
      throws Exception {
    FeatureReadings.Window window =
        readings.between(night.start().toEpochMilli(), night.end().toEpochMilli());
    emit(state, user, night, WindowFeatures.night(night, window.readings()), out);
  }

  private void emitDay(
      PersonState state, String user, FeatureWindow day, Collector<FeatureRecord> out)
      throws Exception {
    FeatureReadings.Window window =
        readings.between(day.start().toEpochMilli(), day.end().toEpochMilli());
    emit(state, user, day, WindowFeatures.day(day, window.readings(), window.roomBefore()), out);
  }

  private void emit(
      PersonState state,
      String user,
      FeatureWindow window,
      Map<String, List<FeatureValue>> domains,
      Collector<FeatureRecord> out) {
    for (Map.Entry<String, List<FeatureValue>> domain : domains.entrySet()) {
      windowsEmitted.inc();
      for (FeatureValue value : domain.getValue()) {
        out.collect(
            new FeatureRecord(
                user,
                state.location,
                value.sourceId(),
                domain.getKey(),
                window.start().toEpochMilli(),
                window.end().toEpochMilli(),
                window.zone().getId(),
                value.value(),
                value.samples(),
                value.coverage(),
                FeatureValue.ALGO_VERSION));
      }
    }
  }
}
