package org.saam.stream.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.doubles;
import static org.quicktheories.generators.SourceDSL.lists;

import java.util.List;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.testutils.MetricListener;
import org.junit.jupiter.api.Test;
import org.saam.common.codec.RejectionReason;

class PipelineMetricsTest {
  private final MetricListener listener = new MetricListener();

  private long bucket(String le) {
    return listener
        .getCounter(PipelineMetrics.GROUP, "le", le, "e2e_lag_seconds_bucket")
        .map(Counter::getCount)
        .orElseThrow(() -> new AssertionError("no bucket le=" + le));
  }

  private double sum() {
    Gauge<?> gauge =
        listener
            .getGauge(PipelineMetrics.GROUP, "e2e_lag_seconds_sum")
            .orElseThrow(() -> new AssertionError("no e2e_lag_seconds_sum"));
    return (Double) gauge.getValue();
  }

  @Test
  void lagBucketsCountEveryLagAtOrBelowTheirBoundAsPrometheusHistogramsDo() {
    PipelineMetrics.LagHistogram lag = PipelineMetrics.endToEndLag(listener.getMetricGroup());
    lag.observe(0.03);
    lag.observe(0.05); // on the bound: counted in it (le = less or equal)
    lag.observe(0.7);
    lag.observe(7_200); // a backlog of two hours
    lag.observe(-2); // a gateway clock ahead of ours: no negative lag
    lag.observe(1e9);

    assertThat(bucket("0.05")).isEqualTo(3);
    assertThat(bucket("0.1")).isEqualTo(3);
    assertThat(bucket("1")).isEqualTo(4);
    assertThat(bucket("3600")).isEqualTo(4);
    assertThat(bucket("86400")).isEqualTo(5);
    assertThat(bucket("+Inf")).isEqualTo(6);
    assertThat(listener.getCounter(PipelineMetrics.GROUP, "e2e_lag_seconds_count"))
        .get()
        .extracting(Counter::getCount)
        .isEqualTo(6L);
    assertThat(sum()).isEqualTo(0.03 + 0.05 + 0.7 + 7_200 + 0 + 1e9);
  }

  @Test
  void bucketsNeverDecreaseWithTheirBoundAndInfCountsEverything() {
    qt().withExamples(300)
        .forAll(lists().of(doubles().between(-10, 200_000)).ofSizeBetween(0, 50))
        .checkAssert(PipelineMetricsTest::bucketsHold);
  }

  private static void bucketsHold(List<Double> lags) {
    MetricListener fresh = new MetricListener();
    PipelineMetrics.LagHistogram lag = PipelineMetrics.endToEndLag(fresh.getMetricGroup());
    lags.forEach(lag::observe);
    long previous = 0;
    for (double bound : PipelineMetrics.LAG_BUCKETS_SECONDS) {
      String le = PipelineMetrics.LagHistogram.label(bound);
      long count =
          fresh
              .getCounter(PipelineMetrics.GROUP, "le", le, "e2e_lag_seconds_bucket")
              .orElseThrow()
              .getCount();
      long expected = lags.stream().filter(v -> Math.max(0, v) <= bound).count();
      assertThat(count).as("le=" + le).isEqualTo(expected).isGreaterThanOrEqualTo(previous);
      previous = count;
    }
    assertThat(
            fresh
                .getCounter(PipelineMetrics.GROUP, "le", "+Inf", "e2e_lag_seconds_bucket")
                .orElseThrow()
                .getCount())
        .isEqualTo(lags.size());
  }

  @Test
  void boundsAreWrittenAsPrometheusClientsWriteThem() {
    assertThat(PipelineMetrics.LagHistogram.label(0.05)).isEqualTo("0.05");
    assertThat(PipelineMetrics.LagHistogram.label(1)).isEqualTo("1");
    assertThat(PipelineMetrics.LagHistogram.label(2.5)).isEqualTo("2.5");
    assertThat(PipelineMetrics.LagHistogram.label(86_400)).isEqualTo("86400");
  }

  @Test
  void aDimensionIsAKeyValueGroupSoTheReporterMakesItALabel() {
    PipelineMetrics.refused(listener.getMetricGroup(), RejectionReason.RATE_EXCEEDED).inc();
    PipelineMetrics.coachingEvents(listener.getMetricGroup(), "sleep.short_nights").inc(2);

    assertThat(
            listener.getCounter(
                PipelineMetrics.GROUP, "reason", "rate_exceeded", "readings_refused_total"))
        .get()
        .extracting(Counter::getCount)
        .isEqualTo(1L);
    assertThat(
            listener.getCounter(
                PipelineMetrics.GROUP, "rule", "sleep.short_nights", "coaching_events_total"))
        .get()
        .extracting(Counter::getCount)
        .isEqualTo(2L);
  }
}
