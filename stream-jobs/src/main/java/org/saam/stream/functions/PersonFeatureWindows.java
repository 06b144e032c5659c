package org.saam.stream.functions;

import java.io.Serializable;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.StateTtlConfig;
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
import org.saam.stream.features.DayFeatures;
import org.saam.stream.features.FeatureValue;
import org.saam.stream.features.FeatureWindow;
import org.saam.stream.features.Sample;
import org.saam.stream.features.SleepFeatures;
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
 * <p>State: the readings of the person's recent local dates (one map entry per date and source),
 * removed once every window needing them is past its lateness; no timers remain after that.
 */
public final class PersonFeatureWindows
    extends KeyedProcessFunction<String, MeasuredReading, FeatureRecord> {
  private static final long serialVersionUID = 1L;

  /** The sources the features are computed from. */
  public static final Set<String> SOURCES =
      Set.of(
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

  private transient MapState<String, List<Sample>> readings; // "<date>|<source>" -> samples
  private transient ValueState<String> zone;
  private transient ValueState<String> location;
  private transient ValueState<Double> roomBeforeKeptDays;
  private transient Counter tooLate;
  private transient Counter windowsEmitted;
  private transient Counter homesQuiet;
  private transient ErasedPeople erasedPeople;
  private transient Counter erasedDropped;
  // The per-person clock (unused on the watermark clock).
  private transient ValueState<Long> newest;
  private transient ValueState<Boolean> idle;
  private transient ValueState<Long> closedUntil;
  private transient ValueState<Long> lastSeen;
  private transient ValueState<Long> wallTimer;
  private transient MapState<Long, Boolean> due;

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
  public void close() throws Exception {
    if (erasedPeople != null) {
      erasedPeople.close();
    }
  }

  /** Whether the current person was erased; if so, everything kept of them is dropped. */
  private boolean erased(Context context) throws Exception {
    if (!erasedPeople.contains(context.getCurrentKey())) {
      return false;
    }
    erasedDropped.inc();
    readings.clear();
    zone.clear();
    location.clear();
    roomBeforeKeptDays.clear();
    newest.clear();
    idle.clear();
    closedUntil.clear();
    lastSeen.clear();
    wallTimer.clear();
    due.clear();
    return true;
  }

  @Override
  public void open(Configuration parameters) throws Exception {
    erasedPeople = erasedPeopleFactory.open();
    erasedDropped = PipelineMetrics.erasedDropped(getRuntimeContext().getMetricGroup());
    readings =
        getRuntimeContext()
            .getMapState(
                new MapStateDescriptor<>(
                    "readings-by-date-and-source",
                    Types.STRING,
                    Types.LIST(TypeInformation.of(Sample.class))));
    zone = getRuntimeContext().getState(new ValueStateDescriptor<>("zone", Types.STRING));
    location = getRuntimeContext().getState(new ValueStateDescriptor<>("location", Types.STRING));
    roomBeforeKeptDays =
        getRuntimeContext()
            .getState(new ValueStateDescriptor<>("room-before-kept-days", Types.DOUBLE));
    tooLate = PipelineMetrics.readingsLate(getRuntimeContext().getMetricGroup());
    windowsEmitted = getRuntimeContext().getMetricGroup().counter("featureWindowsEmitted");
    homesQuiet = getRuntimeContext().getMetricGroup().counter("quietHomesClosed");
    newest = getRuntimeContext().getState(new ValueStateDescriptor<>("newest-reading", Types.LONG));
    idle = getRuntimeContext().getState(new ValueStateDescriptor<>("idle", Types.BOOLEAN));
    ValueStateDescriptor<Long> closed = new ValueStateDescriptor<>("closed-until", Types.LONG);
    closed.enableTimeToLive(
        StateTtlConfig.newBuilder(Duration.ofDays(30))
            .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
            .build());
    closedUntil = getRuntimeContext().getState(closed);
    lastSeen = getRuntimeContext().getState(new ValueStateDescriptor<>("last-seen", Types.LONG));
    wallTimer = getRuntimeContext().getState(new ValueStateDescriptor<>("wall-timer", Types.LONG));
    due =
        getRuntimeContext()
            .getMapState(new MapStateDescriptor<>("due-times", Types.LONG, Types.BOOLEAN));
  }

  /** The person's time: their home's progress, or the watermark. */
  private long now(Context context) throws Exception {
    if (personTime == null) {
      return context.timerService().currentWatermark();
    }
    Long newestSeen = newest.value();
    long progress =
        newestSeen == null
            ? Long.MIN_VALUE
            : Boolean.TRUE.equals(idle.value())
                ? newestSeen
                : newestSeen - personTime.outOfOrderness().toMillis();
    Long closed = closedUntil.value();
    return closed == null ? progress : Math.max(progress, closed);
  }

  /** Fires, in order, every due time the person's time has reached. */
  private void advance(Context context, Collector<FeatureRecord> out) throws Exception {
    long now = now(context);
    while (true) {
      Long next = null;
      for (Long time : due.keys()) {
        if (time <= now && (next == null || time < next)) {
          next = time;
        }
      }
      if (next == null) {
        return;
      }
      due.remove(next);
      fire(next, context.getCurrentKey(), out);
    }
  }

  /** Notes the reading's arrival and keeps one processing-time timer for idleness. */
  private void seen(MeasuredReading reading, Context context) throws Exception {
    Long newestSeen = newest.value();
    if (newestSeen == null || reading.tsMillis() > newestSeen) {
      newest.update(reading.tsMillis());
    }
    idle.clear();
    long wallNow = context.timerService().currentProcessingTime();
    lastSeen.update(wallNow);
    if (wallTimer.value() == null) {
      long at = wallNow + personTime.idleTimeout().toMillis();
      context.timerService().registerProcessingTimeTimer(at);
      wallTimer.update(at);
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
    if (personTime != null) {
      seen(reading, context);
    }
    long watermark = now(context);
    // The last window this date feeds is the night starting on it; past its lateness, too late.
    if (FeatureWindow.night(date, personZone).end().toEpochMilli() + allowedLatenessMillis
        <= watermark) {
      tooLate.inc();
      return;
    }
    zone.update(reading.timeZone());
    location.update(reading.locationId());
    String key = date + "|" + reading.sourceId();
    List<Sample> samples = readings.get(key);
    if (samples == null) {
      samples = new ArrayList<>();
      registerTimers(context, date, personZone);
    }
    samples.add(new Sample(reading.tsMillis(), reading.value()));
    readings.put(key, samples);

    // Late but within the lateness: windows already emitted are emitted again, updated.
    FeatureWindow day = FeatureWindow.day(date, personZone);
    if (day.end().toEpochMilli() <= watermark) {
      emitDay(context.getCurrentKey(), day, out);
    }
    for (LocalDate nightDate : List.of(date.minusDays(1), date)) {
      FeatureWindow night = FeatureWindow.night(nightDate, personZone);
      if (night.contains(reading.tsMillis()) && night.end().toEpochMilli() <= watermark) {
        emitNight(context.getCurrentKey(), night, out);
      }
    }
    if (personTime != null) {
      advance(context, out);
    }
  }

  /**
   * Window ends and the clean-up of a date; ends already passed have fired and are not set again.
   */
  private void registerTimers(Context context, LocalDate date, ZoneId personZone) throws Exception {
    long watermark = now(context);
    long[] times = {
      FeatureWindow.night(date.minusDays(1), personZone).end().toEpochMilli(),
      FeatureWindow.day(date, personZone).end().toEpochMilli(),
      FeatureWindow.night(date, personZone).end().toEpochMilli(),
      cleanupTime(date, personZone)
    };
    for (long time : times) {
      if (time > watermark) {
        if (personTime == null) {
          context.timerService().registerEventTimeTimer(time);
        } else {
          due.put(time, Boolean.TRUE);
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
    if (personTime == null) {
      fire(timestamp, context.getCurrentKey(), out);
    } else if (context.timeDomain() == TimeDomain.PROCESSING_TIME) {
      onWallClock(timestamp, context, out);
    }
  }

  /** The idle and quiet checks of the per-person clock. */
  private void onWallClock(long timestamp, OnTimerContext context, Collector<FeatureRecord> out)
      throws Exception {
    wallTimer.clear();
    Long seenAt = lastSeen.value();
    if (seenAt == null) {
      return;
    }
    long idleAt = seenAt + personTime.idleTimeout().toMillis();
    long quietAt = seenAt + personTime.quietAfter().toMillis();
    if (timestamp < idleAt) {
      // A reading came since this timer was set.
      context.timerService().registerProcessingTimeTimer(idleAt);
      wallTimer.update(idleAt);
      return;
    }
    if (timestamp < quietAt) {
      idle.update(Boolean.TRUE);
      advance(context, out);
      context.timerService().registerProcessingTimeTimer(quietAt);
      wallTimer.update(quietAt);
      return;
    }
    // Quiet: emit what is open, as it is, and let the home go.
    homesQuiet.inc();
    List<Long> times = new ArrayList<>();
    for (Long time : due.keys()) {
      times.add(time);
    }
    times.sort(null);
    long closed = closedUntil.value() == null ? Long.MIN_VALUE : closedUntil.value();
    for (long time : times) {
      fire(time, context.getCurrentKey(), out);
      closed = Math.max(closed, time);
    }
    due.clear();
    if (closed != Long.MIN_VALUE) {
      closedUntil.update(closed);
    }
    newest.clear();
    idle.clear();
    lastSeen.clear();
    readings.clear();
    zone.clear();
    location.clear();
    roomBeforeKeptDays.clear();
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
        forget(candidate);
      }
    }
    if (readings.isEmpty()) {
      zone.clear();
      location.clear();
      roomBeforeKeptDays.clear();
    }
  }

  private void forget(LocalDate date) throws Exception {
    List<String> keys = new ArrayList<>();
    for (String key : readings.keys()) {
      if (key.startsWith(date + "|")) {
        keys.add(key);
      }
    }
    for (String key : keys) {
      if (key.endsWith(".room")) {
        List<Sample> rooms = new ArrayList<>(readings.get(key));
        rooms.sort(null);
        roomBeforeKeptDays.update(rooms.get(rooms.size() - 1).value());
      }
      readings.remove(key);
    }
  }

  private List<Sample> samples(FeatureWindow window, String source) throws Exception {
    List<Sample> all = new ArrayList<>();
    LocalDate first = window.start().atZone(window.zone()).toLocalDate();
    LocalDate last = window.end().minusMillis(1).atZone(window.zone()).toLocalDate();
    for (LocalDate date = first; !date.isAfter(last); date = date.plusDays(1)) {
      List<Sample> day = readings.get(date + "|" + source);
      if (day != null) {
        all.addAll(day);
      }
    }
    return all;
  }

  private void emitNight(String user, FeatureWindow night, Collector<FeatureRecord> out)
      throws Exception {
    emit(
        user,
        night,
        "sleep",
        SleepFeatures.compute(
            night, samples(night, "bed.presence"), samples(night, "bed.movement")),
        out);
  }

  private void emitDay(String user, FeatureWindow day, Collector<FeatureRecord> out)
      throws Exception {
    String roomSource =
        samples(day, "uwb.room").isEmpty() && !samples(day, "ble.room").isEmpty()
            ? "ble.room"
            : "uwb.room";
    emit(
        user,
        day,
        "activity",
        DayFeatures.activity(day, samples(day, "bracelet.steps"), samples(day, "bed.presence")),
        out);
    emit(
        user,
        day,
        "mobility",
        DayFeatures.mobility(day, samples(day, roomSource), roomBefore(day, roomSource)),
        out);
    emit(
        user,
        day,
        "cardiovascular",
        DayFeatures.cardiovascular(day, samples(day, "ecg.hr"), samples(day, "ecg.rr_interval")),
        out);
    emit(
        user,
        day,
        "social",
        DayFeatures.social(day, samples(day, "av.voice_activity"), samples(day, "smartphone.call")),
        out);
    emit(
        user,
        day,
        "cognitive",
        DayFeatures.cognitive(day, samples(day, "smartphone.game_score")),
        out);
    emit(
        user,
        day,
        "nutrition",
        DayFeatures.nutrition(day, samples(day, "foodscale.weight_delta")),
        out);
  }

  /** The last room reading before the day: from the kept dates, else from those already let go. */
  private Double roomBefore(FeatureWindow day, String roomSource) throws Exception {
    long start = day.start().toEpochMilli();
    Sample latest = null;
    for (Map.Entry<String, List<Sample>> entry : readings.entries()) {
      if (!entry.getKey().endsWith("|" + roomSource)) {
        continue;
      }
      for (Sample sample : entry.getValue()) {
        if (sample.tsMillis() < start
            && (latest == null || sample.tsMillis() > latest.tsMillis())) {
          latest = sample;
        }
      }
    }
    return latest != null ? Double.valueOf(latest.value()) : roomBeforeKeptDays.value();
  }

  private void emit(
      String user,
      FeatureWindow window,
      String domain,
      List<FeatureValue> values,
      Collector<FeatureRecord> out)
      throws Exception {
    windowsEmitted.inc();
    for (FeatureValue value : values) {
      out.collect(
          new FeatureRecord(
              user,
              location.value(),
              value.sourceId(),
              domain,
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
