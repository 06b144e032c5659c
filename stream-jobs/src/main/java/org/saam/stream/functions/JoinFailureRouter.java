package org.saam.stream.functions;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.saam.common.codec.RejectionReason;
import org.saam.common.store.QuarantineEntry;
import org.saam.stream.metrics.PipelineMetrics;
import org.saam.stream.records.JoinOutcome;
import org.saam.stream.records.MeasuredReading;

/**
 * Passes joined readings on and sends readings the join failed on to {@link #FAILED}, as quarantine
 * entries with reason {@code internal_error}, so that one reading no rule foresaw cannot stop the
 * job. The entry holds the reading as a one-reading batch of its gateway, so a replay sends it
 * through the pipeline again.
 *
 * <p>Readings of an erased person's period are dropped here, counted and nothing else (a quarantine
 * entry would keep what the erasure removed).
 *
 * <p>Metrics: {@code saam_readings_refused_total{reason="internal_error"}}, {@code
 * saam_erased_dropped_total}.
 */
public final class JoinFailureRouter extends ProcessFunction<JoinOutcome, MeasuredReading> {
  private static final long serialVersionUID = 1L;

  /** Readings the join failed on, bound for quarantine. */
  public static final OutputTag<QuarantineEntry> FAILED =
      new OutputTag<>("join-failed", TypeInformation.of(QuarantineEntry.class)) {};

  private transient Counter internalErrors;
  private transient Counter erased;

  @Override
  public void open(Configuration parameters) {
    internalErrors =
        PipelineMetrics.refused(
            getRuntimeContext().getMetricGroup(), RejectionReason.INTERNAL_ERROR);
    erased = PipelineMetrics.erasedDropped(getRuntimeContext().getMetricGroup());
  }

  @Override
  public void processElement(JoinOutcome outcome, Context context, Collector<MeasuredReading> out) {
    if (outcome.erased()) {
      erased.inc(); // an erased person's reading: not stored, not quarantined, only counted
      return;
    }
    if (outcome.failure() == null) {
      out.collect(outcome.reading());
      return;
    }
    internalErrors.inc();
    context.output(FAILED, entry(outcome.reading(), outcome.failure(), System.currentTimeMillis()));
  }

  /** The quarantine entry of a reading the join failed on. */
  static QuarantineEntry entry(MeasuredReading reading, String failure, long nowMillis) {
    return reading.quarantined(
        RejectionReason.INTERNAL_ERROR, "join person failed: " + failure, nowMillis);
  }
}
