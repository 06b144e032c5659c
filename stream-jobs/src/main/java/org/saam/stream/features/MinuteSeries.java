package org.saam.stream.features;

import java.util.Arrays;
import java.util.List;

/**
 * A per-minute source laid out on a window's minutes: the last value of each minute, {@code NaN}
 * where the minute has no sample. Input may come in any order.
 */
final class MinuteSeries {
  final double[] values;
  final int samples;
  final int covered;

  private MinuteSeries(double[] values, int samples, int covered) {
    this.values = values;
    this.samples = samples;
    this.covered = covered;
  }

  static MinuteSeries of(FeatureWindow window, List<Sample> input) {
    double[] values = new double[window.minutes()];
    Arrays.fill(values, Double.NaN);
    long[] latest = new long[values.length];
    int samples = 0;
    for (Sample sample : input) {
      int minute = window.minuteOf(sample.tsMillis());
      if (minute < 0) {
        continue;
      }
      samples++;
      if (Double.isNaN(values[minute]) || sample.tsMillis() >= latest[minute]) {
        values[minute] = sample.value();
        latest[minute] = sample.tsMillis();
      }
    }
    int covered = 0;
    for (double value : values) {
      if (!Double.isNaN(value)) {
        covered++;
      }
    }
    return new MinuteSeries(values, samples, covered);
  }

  double coverage() {
    return values.length == 0 ? 0 : (double) covered / values.length;
  }

  boolean has(int minute) {
    return !Double.isNaN(values[minute]);
  }
}
