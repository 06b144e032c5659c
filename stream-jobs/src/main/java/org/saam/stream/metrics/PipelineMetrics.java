package org.saam.stream.metrics;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MetricGroup;
import org.saam.common.codec.RejectionReason;

/**
 * The pipeline's own metrics, in one place so their names follow the Prometheus conventions
 * (snake_case, base units, {@code _total} on counters) and stay what the alert rules and the
 * operators' page read.
 *
 * <p>Every metric lives in the operator's group {@code saam}; a dimension (reason, rule, outcome,
 * bucket bound) is a Flink key/value group, which Flink's Prometheus reporter turns into a label.
 * The reporter names a metric {@code flink_taskmanager_job_task_operator_saam_[<key>_]<name>}; the
 * scrape configuration ({@code ops/prometheus/prometheus.yml}) renames it to {@code saam_<name>},
 * so Prometheus holds, for example, {@code saam_readings_refused_total{reason=...}}. The table of
 * names is in the module README.
 */
public final class PipelineMetrics {
  /** The group every metric of the pipeline's own is registered in. */
  public static final String GROUP = "saam";

  /**
   * Bucket bounds of the end-to-end lag histogram, in seconds: fine below a second (the live path),
   * coarse up to a day (an offline gateway's backlog).
   */
  static final double[] LAG_BUCKETS_SECONDS = {
    0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 3_600, 86_400
  };

  private PipelineMetrics() {}

  private static MetricGroup saam(MetricGroup operator) {
    return operator.addGroup(GROUP);
  }

  /** Messages taken from the readings queue. */
  public static Counter messagesIn(MetricGroup operator) {
    return saam(operator).counter("messages_in_total");
  }

  /** Readings accepted by the parser: what enters the pipeline. */
  public static Counter readingsIn(MetricGroup operator) {
    return saam(operator).counter("readings_in_total");
  }

  /** Quarantine entries for {@code reason}: a whole message or one reading each. */
  public static Counter refused(MetricGroup operator, RejectionReason reason) {
    return saam(operator).addGroup("reason", reason.code()).counter("readings_refused_total");
  }

  /** Readings handed to the MongoDB writer (stored at its next flush, before any checkpoint). */
  public static Counter readingsStored(MetricGroup operator) {
    return saam(operator).counter("readings_stored_total");
  }

  /** Readings of a location nobody was assigned to at the reading's time. */
  public static Counter readingsUnassigned(MetricGroup operator) {
    return saam(operator).counter("readings_unassigned_total");
  }

  /**
   * Readings and feature or coaching state dropped because they belonged to an erased person, by
   * the operator that dropped them.
   */
  public static Counter erasedDropped(MetricGroup operator) {
    return saam(operator).counter("erased_dropped_total");
  }

  /** Gaps in a gateway's batch sequence, counted when first seen. */
  public static Counter sequenceGaps(MetricGroup operator) {
    return saam(operator).counter("sequence_gaps_total");
  }

  /** Readings too late for their feature window (left to the backfill job). */
  public static Counter readingsLate(MetricGroup operator) {
    return saam(operator).counter("readings_late_total");
  }

  /**
   * Assignment lookups by outcome: {@code cache_hit} (answered from the operator's cache) or {@code
   * load} (Redis, then the user service). Per reading, they show how well the cache works.
   */
  public static Counter assignmentLookups(MetricGroup operator, String outcome) {
    return saam(operator).addGroup("outcome", outcome).counter("assignment_lookups_total");
  }

  /** Coaching events fired by the rule {@code ruleId}. */
  public static Counter coachingEvents(MetricGroup operator, String ruleId) {
    return saam(operator).addGroup("rule", ruleId).counter("coaching_events_total");
  }

  /** The end-to-end lag histogram: wall clock minus reading time, when the reading is stored. */
  public static LagHistogram endToEndLag(MetricGroup operator) {
    return new LagHistogram(saam(operator), "e2e_lag_seconds");
  }

  /**
   * A Prometheus-style histogram built from Flink counters: cumulative buckets {@code
   * <name>_bucket{le=...}} (including {@code +Inf}), {@code <name>_sum} and {@code <name>_count},
   * so {@code histogram_quantile} works on it across subtasks and over any range. (Flink's own
   * histograms reach Prometheus as summaries of a sliding sample, which cannot be aggregated.)
   */
  public static final class LagHistogram {
    private final double[] bounds;
    private final List<Counter> buckets = new ArrayList<>();
    private final Counter count;
    private volatile double sum;

    LagHistogram(MetricGroup group, String name) {
      this.bounds = LAG_BUCKETS_SECONDS;
      for (double bound : bounds) {
        buckets.add(group.addGroup("le", label(bound)).counter(name + "_bucket"));
      }
      buckets.add(group.addGroup("le", "+Inf").counter(name + "_bucket"));
      count = group.counter(name + "_count");
      group.gauge(name + "_sum", (Gauge<Double>) () -> sum);
    }

    /** The Prometheus label of a bound: {@code 0.05}, {@code 1}, {@code 86400}. */
    static String label(double bound) {
      return bound == Math.rint(bound)
          ? Long.toString((long) bound)
          : String.format(Locale.ROOT, "%s", bound);
    }

    /** Records one lag; a negative lag (a gateway clock ahead) counts as zero. */
    public void observe(double seconds) {
      double value = Double.isNaN(seconds) ? 0 : Math.max(0, seconds);
      int first = 0;
      while (first < bounds.length && value > bounds[first]) {
        first++;
      }
      for (int i = first; i < buckets.size(); i++) {
        buckets.get(i).inc();
      }
      count.inc();
      sum += value;
    }
  }
}
