package org.saam.stream.functions;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.TimeDomain;
import org.apache.flink.streaming.api.TimerService;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.saam.common.records.CoachingEvent;
import org.saam.common.store.FeatureRecord;
import org.saam.stream.coaching.CoachingEngine;
import org.saam.stream.coaching.CoachingRule;
import org.saam.stream.coaching.CoachingRules;
import org.saam.stream.metrics.PipelineMetrics;
import org.saam.stream.people.ErasedPeople;
import org.saam.stream.records.CoachingEventRecord;

/**
 * Per person, runs the coaching rules over the person's features as their windows close, and sends
 * each event when it is due: at once, or when the person's quiet hours end (an event-time timer, so
 * a replay of old data behaves like live data).
 *
 * <p>An event whose window ended longer ago than {@code lateAfter} (wall clock: a home that
 * uploaded days of backlog) is marked {@code delivered_late} and sent at once, not held: the log
 * keeps it, the person's app is not woken for last week's nights.
 *
 * <p>A window is judged on its first result (when the watermark passes its end); updates from late
 * readings change the stored feature but not a decision already taken, so an event is never sent
 * and then taken back. Windows already judged are ignored, so data fed again fires nothing new.
 *
 * <p>State per person: one small history per rule (last 14 values, the current run, last event) and
 * the events waiting for the end of quiet hours; an hourly check that the person was not erased.
 * Both are kept as JSON strings, so the state stays readable after the classes change (savepoint
 * upgrades). When no feature of the person has come for the quiet period (processing time, counted
 * from the later of their last feature and this subtask's start, so that a job that was down for
 * days does not forget everyone at once) and no event waits, the person's state and timer are
 * released ({@code coachingPeopleReleased}); a later feature starts them afresh.
 */
public final class CoachingRulesFunction
    extends KeyedProcessFunction<String, FeatureRecord, CoachingEventRecord> {
  private static final long serialVersionUID = 1L;

  private static final ObjectMapper JSON =
      JsonMapper.builder()
          .addModule(new JavaTimeModule())
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
          .build();

  private final CoachingRules rules;
  private final Duration lateAfter;
  private final ErasedPeople.Factory erasedPeopleFactory;
  private final Duration quietAfter;

  /** Without a feature for this long (and no event waiting), a person's state is released. */
  public static final Duration DEFAULT_QUIET_AFTER = Duration.ofDays(3);

  /** How often a person's state is checked against the erasures when no feature comes. */
  static final Duration ERASURE_CHECK = Duration.ofHours(1);

  private transient CoachingEngine engine;
  private transient Map<String, List<CoachingRule>> rulesByFeature;
  private transient MapState<String, String> histories; // rule id -> History JSON
  private transient MapState<String, String> waiting; // event id -> event JSON
  private transient Map<String, Counter> firedByRule;
  private transient Counter heldForQuietHours;
  private transient Counter deliveredLate;
  private transient ValueState<Long> erasureCheckAt;
  private transient ValueState<Long> lastFeatureAt;
  private transient Counter released;
  private transient long startedAt = Long.MIN_VALUE;
  private transient ErasedPeople erasedPeople;
  private transient Counter erasedDropped;

  /**
   * @param rules the rules to run
   * @param lateAfter an event whose window ended longer ago than this (processing time) is marked
   *     delivered late, sent at once to the log and not pushed to the person's app
   */
  public CoachingRulesFunction(CoachingRules rules, Duration lateAfter) {
    this(rules, lateAfter, ErasedPeople.NONE);
  }

  /**
   * @param erasedPeople who was erased: no event of theirs leaves, and their histories and waiting
   *     events are dropped at their next feature or within {@link #ERASURE_CHECK} (a
   *     processing-time check per person)
   */
  public CoachingRulesFunction(
      CoachingRules rules, Duration lateAfter, ErasedPeople.Factory erasedPeople) {
    this(rules, lateAfter, erasedPeople, DEFAULT_QUIET_AFTER);
  }

  /**
   * @param quietAfter without a feature of a person for this long (processing time) and no event of
   *     theirs waiting, their state and timer are released
   */
  public CoachingRulesFunction(
      CoachingRules rules,
      Duration lateAfter,
      ErasedPeople.Factory erasedPeople,
      Duration quietAfter) {
    if (quietAfter.isNegative() || quietAfter.isZero()) {
      throw new IllegalArgumentException("the quiet period must be positive, not " + quietAfter);
    }
    this.rules = rules;
    this.lateAfter = lateAfter;
    this.erasedPeopleFactory = erasedPeople;
    this.quietAfter = quietAfter;
  }

  @Override
  public void close() throws Exception {
    if (erasedPeople != null) {
      erasedPeople.close();
    }
  }

  /** Whether the current person was erased; if so, everything kept of them is dropped. */
  private boolean erased(Context ctx) {
    if (!erasedPeople.contains(ctx.getCurrentKey())) {
      return false;
    }
    erasedDropped.inc();
    histories.clear();
    waiting.clear();
    erasureCheckAt.clear();
    lastFeatureAt.clear();
    return true;
  }

  /** This subtask's start (processing time), taken at its first feature or timer. */
  private long startedAt(TimerService timers) {
    if (startedAt == Long.MIN_VALUE) {
      startedAt = timers.currentProcessingTime();
    }
    return startedAt;
  }

  @Override
  public void open(Configuration parameters) throws Exception {
    erasedPeople = erasedPeopleFactory.open();
    erasedDropped = PipelineMetrics.erasedDropped(getRuntimeContext().getMetricGroup());
    erasureCheckAt =
        getRuntimeContext().getState(new ValueStateDescriptor<>("erasure-check-at", Types.LONG));
    lastFeatureAt =
        getRuntimeContext().getState(new ValueStateDescriptor<>("last-feature-at", Types.LONG));
    released = getRuntimeContext().getMetricGroup().counter("coachingPeopleReleased");
    engine = new CoachingEngine(rules);
    rulesByFeature = new HashMap<>();
    for (CoachingRule rule : rules.rules()) {
      rulesByFeature.computeIfAbsent(rule.feature(), f -> new ArrayList<>()).add(rule);
    }
    histories =
        getRuntimeContext()
            .getMapState(new MapStateDescriptor<>("rule-histories", Types.STRING, Types.STRING));
    waiting =
        getRuntimeContext()
            .getMapState(
                new MapStateDescriptor<>("events-after-quiet-hours", Types.STRING, Types.STRING));
    var metrics = getRuntimeContext().getMetricGroup();
    firedByRule = new HashMap<>();
    for (CoachingRule rule : rules.rules()) {
      firedByRule.put(rule.id(), PipelineMetrics.coachingEvents(metrics, rule.id()));
    }
    heldForQuietHours =
        metrics.addGroup(PipelineMetrics.GROUP).counter("coaching_events_held_total");
    deliveredLate = metrics.addGroup(PipelineMetrics.GROUP).counter("coaching_events_late_total");
  }

  @Override
  public void processElement(FeatureRecord feature, Context ctx, Collector<CoachingEventRecord> out)
      throws Exception {
    if (erased(ctx)) {
      return;
    }
    long wallClock = ctx.timerService().currentProcessingTime();
    startedAt(ctx.timerService());
    lastFeatureAt.update(wallClock);
    if (erasureCheckAt.value() == null) {
      long at = wallClock + ERASURE_CHECK.toMillis();
      ctx.timerService().registerProcessingTimeTimer(at);
      erasureCheckAt.update(at);
    }
    List<CoachingRule> watching = rulesByFeature.get(feature.sourceId());
    if (watching == null) {
      return;
    }
    CoachingEngine.Window window =
        new CoachingEngine.Window(
            Instant.ofEpochMilli(feature.windowStartMillis()),
            Instant.ofEpochMilli(feature.windowEndMillis()),
            ZoneId.of(feature.timeZone()),
            feature.value(),
            feature.coverage());
    for (CoachingRule rule : watching) {
      String stored = histories.get(rule.id());
      CoachingEngine.History history =
          stored == null
              ? new CoachingEngine.History()
              : JSON.readValue(stored, CoachingEngine.History.class);
      Optional<CoachingEvent> event =
          engine.evaluate(rule, feature.userId(), feature.locationId(), window, history);
      histories.put(rule.id(), JSON.writeValueAsString(history));
      if (event.isPresent()) {
        firedByRule.get(rule.id()).inc();
        long wallNow = ctx.timerService().currentProcessingTime();
        if (feature.windowEndMillis() < wallNow - lateAfter.toMillis()) {
          deliveredLate.inc();
          out.collect(CoachingEventRecord.of(event.get().markedLate()));
          continue;
        }
        CoachingEventRecord record = CoachingEventRecord.of(event.get());
        if (record.tsMillis() <= ctx.timerService().currentWatermark()) {
          out.collect(record);
        } else {
          heldForQuietHours.inc();
          waiting.put(record.eventId(), record.json());
          ctx.timerService().registerEventTimeTimer(record.tsMillis());
        }
      }
    }
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<CoachingEventRecord> out)
      throws Exception {
    if (erased(ctx)) {
      return;
    }
    if (ctx.timeDomain() == TimeDomain.PROCESSING_TIME) {
      // The periodic erasure check: not erased. Quiet for long enough: let the person go.
      Long last = lastFeatureAt.value();
      long since = Math.max(last == null ? Long.MIN_VALUE : last, startedAt(ctx.timerService()));
      long wallClock = ctx.timerService().currentProcessingTime();
      if (wallClock - since >= quietAfter.toMillis() && waiting.isEmpty()) {
        histories.clear();
        erasureCheckAt.clear();
        lastFeatureAt.clear();
        released.inc();
        return;
      }
      // From now, not from the timer's time: a timer restored long after it was due fires once.
      long at = wallClock + ERASURE_CHECK.toMillis();
      ctx.timerService().registerProcessingTimeTimer(at);
      erasureCheckAt.update(at);
      return;
    }
    Iterator<Map.Entry<String, String>> entries = waiting.iterator();
    List<String> sent = new ArrayList<>();
    while (entries.hasNext()) {
      Map.Entry<String, String> entry = entries.next();
      CoachingEventRecord record = CoachingEventRecord.fromJson(entry.getValue());
      if (record.tsMillis() <= timestamp) {
        out.collect(record);
        sent.add(entry.getKey());
      }
    }
    for (String eventId : sent) {
      waiting.remove(eventId);
    }
  }
}
