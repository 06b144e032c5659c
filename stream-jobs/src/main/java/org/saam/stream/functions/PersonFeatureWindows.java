package org.saam.stream.functions;

import java.io.Serializable;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.TimeDomain;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.saam.common.store.FeatureRecord;
import org.saam.stream.features.FeatureValue;
import org.saam.stream.features.FeatureWindow;
import org.saam.stream.features.Sample;
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
 * <p>State ({@link FeatureReadings}): the distinct readings of the person's recent local dates, one
 * map entry per source and short cell, removed once every window needing them is past its lateness;
 * no timers remain after that. A reading that arrives twice changes no state and emits nothing.
 * State written by the first layout (a list of samples per date and source) is moved into this one
 * when the operator starts ({@link PersonFeatureOperator}).
 */
public final class PersonFeatureWindows
    extends KeyedProcessFunction<String, MeasuredReading, FeatureRecord> {
  private static final long serialVersionUID = 1L;

  /** The sources the features are computed from. */
  public static final Set<String> SOURCES = FeatureReadings.SOURCE_SET;

  /** The name of the first layout's state, moved into {@link FeatureReadings} at start. */
  static final String LEGACY_STATE = "readings-by-date-and-source";

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
  private transient MapState<String, List<Sample>> legacyReadings; // "<date>|<source>" -> samples
  private transient ValueState<String> zone;
  private transient ValueState<String> location;
  private transient PersonClock clock; // null on the watermark
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
    legacyReadings =
        getRuntimeContext()
            .getMapState(
                new MapStateDescriptor<>(
                    LEGACY_STATE, Types.STRING, Types.LIST(TypeInformation.of(Sample.class))));
    zone = getRuntimeContext().getState(new ValueStateDescriptor<>("zone", Types.STRING));
    location = getRuntimeContext().getState(new ValueStateDescriptor<>("location", Types.STRING));
    clock = personTime == null ? null : new PersonClock(getRuntimeContext(), personTime);
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

  /**
   * Moves the current person's readings of the first layout into the cells (a reading the old list
   * held twice is kept once). Called by {@link PersonFeatureOperator} for every person with such
   * state, once, when the operator starts.
   */
  void migrateLegacyState() throws Exception {
    for (Map.Entry<String, List<Sample>> entry : legacyReadings.entries()) {
      String source = entry.getKey().substring(entry.getKey().indexOf('|') + 1);
      if (!SOURCES.contains(source)) {
        continue;
      }
      for (Sample sample : entry.getValue()) {
        readings.add(source, sample.tsMillis(), sample.value());
      }
    }
    legacyReadings.clear();
  }

  /** Whether the current person was erased; if so, everything kept of them is dropped. */
  private boolean erased(Context context) throws Exception {
    if (!erasedPeople.contains(context.getCurrentKey())) {
      return false;
    }
    erasedDropped.inc();
    readings.clear();
    legacyReadings.clear();
    zone.clear();
    location.clear();
    if (clock != null) {
      clock.clear();
    }
    return true;
  }

  /** The person's time: their home's progress, or the watermark. */
  private long now(Context context) throws Exception {
    return clock == null ? context.timerService().currentWatermark() : clock.now();
  }

  /** Fires, in order, every due time the person's time has reached. */
  private void advance(String user, Collector<FeatureRecord> out) throws Exception {
    for (Long next = clock.nextDue(); next != null; next = clock.nextDue()) {
      fire(next, user, out);
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
    ZoneId personZone = ZoneId.of(reading.timeZone());
    LocalDate date = Instant.ofEpochMilli(reading.tsMillis()).atZone(personZone).toLocalDate();
    if (clock != null) {
      clock.seen(reading.tsMillis(), context.timerService());
    }
    long now = now(context);
    // The last window this date feeds is the night starting on it; past its lateness, too late.
    if (FeatureWindow.night(date, personZone).end().toEpochMilli() + allowedLatenessMillis <= now) {
      tooLate.inc();
      return;
    }
    FeatureReadings.Change change =
        readings.add(reading.sourceId(), reading.tsMillis(), reading.value());
    if (change == FeatureReadings.Change.ALREADY_THERE
        || change == FeatureReadings.Change.CELL_FULL) {
      (change == FeatureReadings.Change.CELL_FULL ? cellFull : duplicates).inc();
      if (clock != null) {
        advance(context.getCurrentKey(), out);
      }
      return;
    }
    if (!reading.timeZone().equals(zone.value())) {
      zone.update(reading.timeZone());
    }
    if (!reading.locationId().equals(location.value())) {
      location.update(reading.locationId());
    }
    if (change == FeatureReadings.Change.NEW_CELL) {
      registerTimers(context, date, personZone);
    }

    // Late but within the lateness: windows already emitted are emitted again, updated.
    FeatureWindow day = FeatureWindow.day(date, personZone);
    if (day.end().toEpochMilli() <= now) {
      emitDay(context.getCurrentKey(), day, out);
    }
    for (LocalDate nightDate : List.of(date.minusDays(1), date)) {
      FeatureWindow night = FeatureWindow.night(nightDate, personZone);
      if (night.contains(reading.tsMillis()) && night.end().toEpochMilli() <= now) {
        emitNight(context.getCurrentKey(), night, out);
      }
    }
    if (clock != null) {
      advance(context.getCurrentKey(), out);
    }
  }

  /**
   * Window ends and the clean-up of a date; ends already passed have fired and are not set again.
   * Set again for every new cell of the date: due times and timers are kept once each.
   */
  private void registerTimers(Context context, LocalDate date, ZoneId personZone) throws Exception {
    long now = now(context);
    long[] times = {
      FeatureWindow.night(date.minusDays(1), personZone).end().toEpochMilli(),
      FeatureWindow.day(date, personZone).end().toEpochMilli(),
      FeatureWindow.night(date, personZone).end().toEpochMilli(),
      cleanupTime(date, personZone)
    };
    for (long time : times) {
      if (time > now) {
        if (clock == null) {
          context.timerService().registerEventTimeTimer(time);
        } else {
          clock.due(time);
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
    if (clock == null) {
      fire(timestamp, context.getCurrentKey(), out);
    } else if (context.timeDomain() == TimeDomain.PROCESSING_TIME) {
      onWallClock(timestamp, context, out);
    }
  }

  /** The idle and quiet checks of the per-person clock. */
  private void onWallClock(long timestamp, OnTimerContext context, Collector<FeatureRecord> out)
      throws Exception {
    switch (clock.onTimer(timestamp, context.timerService())) {
      case IDLE:
        advance(context.getCurrentKey(), out);
        return;
      case QUIET:
        // Quiet: emit what is open, as it is, and let the home go.
        homesQuiet.inc();
        for (long time : clock.closeQuiet()) {
          fire(time, context.getCurrentKey(), out);
        }
        readings.clear();
        zone.clear();
        location.clear();
        return;
      default:
        return;
    }
  }

  /** What happens at a window end or a clean-up time. */
  private void fire(long timestamp, String user, Collector<FeatureRecord> out) throws Exception {
    if (zone.value() == null) {
      return;
    }
    ZoneId personZone = ZoneId.of(zone.value());
    LocalDate date = Instant.ofEpochMilli(timestamp - 1).atZone(personZone).toLocalDate();
    for (LocalDate candidate : List.of(date.minusDays(1), date)) {
      if (FeatureWindow.day(candidate, personZone).end().toEpochMilli() == timestamp) {
        emitDay(user, FeatureWindow.day(candidate, personZone), out);
      }
      if (FeatureWindow.night(candidate, personZone).end().toEpochMilli() == timestamp) {
        emitNight(user, FeatureWindow.night(candidate, personZone), out);
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
      zone.clear();
      location.clear();
    }
  }

  private void emitNight(String user, FeatureWindow night, Collector<FeatureRecord> out)
      throws Exception {
    FeatureReadings.Window window =
        readings.between(night.start().toEpochMilli(), night.end().toEpochMilli());
    emit(user, night, WindowFeatures.night(night, window.readings()), out);
  }

  private void emitDay(String user, FeatureWindow day, Collector<FeatureRecord> out)
      throws Exception {
    FeatureReadings.Window window =
        readings.between(day.start().toEpochMilli(), day.end().toEpochMilli());
    emit(user, day, WindowFeatures.day(day, window.readings(), window.roomBefore()), out);
  }

  private void emit(
      String user,
      FeatureWindow window,
      Map<String, List<FeatureValue>> domains,
      Collector<FeatureRecord> out)
      throws Exception {
    String home = location.value();
    for (Map.Entry<String, List<FeatureValue>> domain : domains.entrySet()) {
      windowsEmitted.inc();
      for (FeatureValue value : domain.getValue()) {
        out.collect(
            new FeatureRecord(
                user,
                home,
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
