package org.saam.stream.coaching;

import java.io.Serializable;
import java.time.Duration;

/**
 * One coaching rule (see {@code saam/coaching-rules.yaml} for the rules and their rationale).
 *
 * @param id stable id, part of every event id
 * @param feature the feature source it watches
 * @param baseline whether it compares with the person's own median instead of a fixed value
 * @param below whether values under the limit are the pattern (else above)
 * @param limit the fixed value, or the ratio of the baseline
 * @param consecutive how many windows in a row must show the pattern
 * @param minCoverage windows with less coverage break the run and do not count
 * @param cooldown no second event of this rule for the person within this time
 * @param severity info, warning or alert
 * @param messageKey what the app shows, translated on the phone
 */
public record CoachingRule(
    String id,
    String feature,
    boolean baseline,
    boolean below,
    double limit,
    int consecutive,
    double minCoverage,
    Duration cooldown,
    String severity,
    String messageKey)
    implements Serializable {

  /** Windows of history the baseline median is taken over. */
  public static final int BASELINE_WINDOWS = 14;

  /** Fewest windows of history before a baseline rule may fire. */
  public static final int BASELINE_MINIMUM = 7;

  /** The coaching domain, from the feature id ({@code feature.<domain>.<name>}). */
  public String domain() {
    return feature.split("\\.")[1];
  }

  /** Whether a value shows the pattern, against the limit or {@code limit x baseline}. */
  public boolean matches(double value, Double baselineValue) {
    double threshold = baseline ? limit * baselineValue : limit;
    return below ? value < threshold : value > threshold;
  }
}
