package org.saam.stream.features;

/** One value of a source at a time (epoch milliseconds). */
public record Sample(long tsMillis, double value) implements Comparable<Sample> {
  @Override
  public int compareTo(Sample other) {
    return Long.compare(tsMillis, other.tsMillis);
  }
}
