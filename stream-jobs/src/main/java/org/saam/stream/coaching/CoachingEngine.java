package org.saam.stream.coaching;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.saam.common.records.CoachingEvent;

/**
 * Evaluates one rule for one person, window after window, in window order. The caller keeps a
 * {@link History} per person and rule (Flink keyed state in the job); the engine is pure.
 *
 * <p>A window counts towards the pattern when its coverage is at least the rule's minimum and its
 * value matches; a window without enough data, or missing altogether, breaks the run. When the run
 * reaches the rule's length and the cooldown since the last event has passed, one event fires: its
 * id is a hash of rule, person and the window that completed the pattern; its time is that window's
 * end, moved to the end of the person's quiet hours if it falls inside them.
 */
public final class CoachingEngine {
  private final CoachingRules rules;

  public CoachingEngine(CoachingRules rules) {
    this.rules = rules;
  }

  /** One window's feature, as the engine sees it. */
  public record Window(Instant start, Instant end, ZoneId zone, Double value, double coverage) {}

  /** What the engine remembers for one person and rule; small and bounded. */
  public static final class History implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Values of the last windows (for the baseline), oldest first. */
    public final List<Double> values = new ArrayList<>();

    /** The windows of the current run, oldest first. */
    public final List<CoachingEvent.Evidence> run = new ArrayList<>();

    public Instant lastEvent;
    public Instant lastWindowStart;
    public Instant lastWindowEnd;
  }

  public CoachingRules rules() {
    return rules;
  }

  /**
   * Adds one window; returns the event it completes, if any. A window already seen (same start or
   * older) is ignored, so replays do not fire twice.
   */
  public Optional<CoachingEvent> evaluate(
      CoachingRule rule, String userId, String locationId, Window window, History history) {
    if (history.lastWindowStart != null && !window.start().isAfter(history.lastWindowStart)) {
      return Optional.empty();
    }
    if (history.lastWindowEnd != null && window.start().isAfter(history.lastWindowEnd)) {
      // A window without any feature (no readings at all) lies between: the run is broken.
      history.run.clear();
    }
    history.lastWindowStart = window.start();
    history.lastWindowEnd = window.end();
    Double baseline = median(history.values);
    boolean usable = window.value() != null && window.coverage() >= rule.minCoverage();
    boolean baselineReady =
        !rule.baseline() || history.values.size() >= CoachingRule.BASELINE_MINIMUM;
    if (usable && baselineReady && rule.matches(window.value(), baseline)) {
      history.run.add(
          new CoachingEvent.Evidence(
              rule.feature(),
              window.start(),
              window.end(),
              window.value(),
              rule.baseline() ? baseline : null));
    } else {
      history.run.clear();
    }
    if (usable) {
      history.values.add(window.value());
      if (history.values.size() > CoachingRule.BASELINE_WINDOWS) {
        history.values.remove(0);
      }
    }
    if (history.run.size() < rule.consecutive()) {
      return Optional.empty();
    }
    List<CoachingEvent.Evidence> evidence =
        List.copyOf(
            history.run.subList(history.run.size() - rule.consecutive(), history.run.size()));
    history.run.clear();
    Instant due = afterQuietHours(window.end(), window.zone());
    if (history.lastEvent != null && due.isBefore(history.lastEvent.plus(rule.cooldown()))) {
      return Optional.empty();
    }
    history.lastEvent = due;
    return Optional.of(
        new CoachingEvent(
            eventId(rule.id(), userId, window.start()),
            userId,
            locationId,
            rule.domain(),
            rule.id(),
            rule.severity(),
            due,
            rule.messageKey(),
            evidence,
            false));
  }

  /** The instant itself, or the end of the quiet hours it falls in (person's local time). */
  Instant afterQuietHours(Instant at, ZoneId zone) {
    ZonedDateTime local = at.atZone(zone);
    LocalTime time = local.toLocalTime();
    LocalTime from = rules.quietFrom();
    LocalTime to = rules.quietTo();
    boolean overnight = from.isAfter(to);
    boolean quiet =
        overnight
            ? !time.isBefore(from) || time.isBefore(to)
            : !time.isBefore(from) && time.isBefore(to);
    if (!quiet) {
      return at;
    }
    ZonedDateTime end = local.with(to);
    if (!end.isAfter(local)) {
      end = end.plusDays(1);
    }
    return end.toInstant();
  }

  /** Deterministic: the same rule, person and window always give the same id. */
  public static String eventId(String ruleId, String userId, Instant windowStart) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      byte[] hash =
          digest.digest(
              (ruleId + "|" + userId + "|" + windowStart.getEpochSecond())
                  .getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(hash, 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }

  private static Double median(List<Double> values) {
    if (values.isEmpty()) {
      return null;
    }
    List<Double> sorted = new ArrayList<>(values);
    sorted.sort(null);
    int middle = sorted.size() / 2;
    return sorted.size() % 2 == 1
        ? sorted.get(middle)
        : (sorted.get(middle - 1) + sorted.get(middle)) / 2;
  }
}
