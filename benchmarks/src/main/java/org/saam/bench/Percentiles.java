package org.saam.bench;

import java.util.Arrays;

/** Nearest-rank percentiles of a set of latencies in milliseconds. */
public record Percentiles(int count, double p50, double p95, double p99, double max) {
  /** The percentiles of {@code millis}; all NaN when it is empty. */
  public static Percentiles of(double[] millis) {
    if (millis.length == 0) {
      return new Percentiles(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
    }
    double[] sorted = millis.clone();
    Arrays.sort(sorted);
    return new Percentiles(
        sorted.length,
        rank(sorted, 0.50),
        rank(sorted, 0.95),
        rank(sorted, 0.99),
        sorted[sorted.length - 1]);
  }

  /** The smallest value with at least {@code q} of the values at or below it. */
  static double rank(double[] sorted, double q) {
    int index = (int) Math.ceil(q * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
  }
}
