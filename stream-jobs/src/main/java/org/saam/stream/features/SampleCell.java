package org.saam.stream.features;

import java.util.ArrayList;
import java.util.List;

/**
 * The distinct samples of one source in one short time cell (one to fifteen minutes), as compact
 * bytes: what the compute-features operator keeps per cell in its state. A sample is identified by
 * its timestamp: adding one whose timestamp is already there changes nothing, so a reading that
 * arrives twice, or out of order, leaves the same bytes.
 *
 * <p>Layout: the samples in timestamp order, each as a varint of the gap to the previous one (to
 * the cell's start for the first), in whole seconds ({@code gap << 1}) or milliseconds ({@code gap
 * << 1 | 1}), then the value: a varint of {@code zigzag(n) << 2 | scale} where the value is exactly
 * {@code n}, {@code n / 10} or {@code n / 1000} (scale 0, 1, 2), or the tag 3 and the value's 8
 * bytes. So a minute's step count takes two or three bytes, not sixteen.
 */
public final class SampleCell {
  /** The most samples one cell holds; more than the fastest source may send in one cell. */
  public static final int MAX_SAMPLES = 1_024;

  private static final double[] SCALES = {1, 10, 1000};

  private SampleCell() {}

  /** What adding a sample did. */
  public enum Outcome {
    /** The cell holds a new sample, or a larger value for a timestamp it had. */
    CHANGED,
    /** The cell had the sample already (or a larger value at the same timestamp). */
    UNCHANGED,
    /** The cell is full ({@link #MAX_SAMPLES}); nothing was added. */
    FULL
  }

  /** The result of {@link #add}: what happened and the cell's new bytes (null unless changed). */
  public record Added(Outcome outcome, byte[] cell) {}

  /**
   * Adds a sample. At one timestamp a cell holds one value; should two readings of a source share a
   * timestamp with different values, the larger stays, whatever their order.
   *
   * @param cell the cell's bytes, or null for an empty cell
   * @param cellStart the cell's start (epoch ms); the sample must not be before it
   */
  public static Added add(byte[] cell, long cellStart, long tsMillis, double value) {
    if (tsMillis < cellStart) {
      throw new IllegalArgumentException("sample at " + tsMillis + " before its cell " + cellStart);
    }
    List<Sample> samples = decode(cell, cellStart);
    int low = 0;
    int high = samples.size() - 1;
    while (low <= high) {
      int middle = (low + high) >>> 1;
      long at = samples.get(middle).tsMillis();
      if (at < tsMillis) {
        low = middle + 1;
      } else if (at > tsMillis) {
        high = middle - 1;
      } else {
        Sample existing = samples.get(middle);
        if (Double.compare(value, existing.value()) <= 0) {
          return new Added(Outcome.UNCHANGED, null);
        }
        samples.set(middle, new Sample(tsMillis, value));
        return new Added(Outcome.CHANGED, encode(samples, cellStart));
      }
    }
    if (samples.size() >= MAX_SAMPLES) {
      return new Added(Outcome.FULL, null);
    }
    samples.add(low, new Sample(tsMillis, value));
    return new Added(Outcome.CHANGED, encode(samples, cellStart));
  }

  /** The cell's samples in timestamp order; an empty list for null. */
  public static List<Sample> decode(byte[] cell, long cellStart) {
    List<Sample> samples = new ArrayList<>();
    if (cell == null) {
      return samples;
    }
    int[] position = {0};
    long at = cellStart;
    while (position[0] < cell.length) {
      long gap = readVarint(cell, position);
      at += (gap & 1) == 0 ? (gap >>> 1) * 1000 : gap >>> 1;
      long code = readVarint(cell, position);
      int scale = (int) (code & 3);
      double value;
      if (scale == 3) {
        long bits = 0;
        for (int i = 0; i < 8; i++) {
          bits = (bits << 8) | (cell[position[0]++] & 0xFF);
        }
        value = Double.longBitsToDouble(bits);
      } else {
        long zigzag = code >>> 2;
        long n = (zigzag >>> 1) ^ -(zigzag & 1);
        value = scale == 0 ? (double) n : n / SCALES[scale];
      }
      samples.add(new Sample(at, value));
    }
    return samples;
  }

  /** The bytes of samples in timestamp order, distinct timestamps, none before the cell. */
  public static byte[] encode(List<Sample> samples, long cellStart) {
    Bytes out = new Bytes(samples.size() * 4);
    long previous = cellStart;
    for (Sample sample : samples) {
      long gap = sample.tsMillis() - previous;
      out.varint(gap % 1000 == 0 ? (gap / 1000) << 1 : (gap << 1) | 1);
      previous = sample.tsMillis();
      writeValue(out, sample.value());
    }
    return out.toArray();
  }

  private static void writeValue(Bytes out, double value) {
    for (int scale = 0; scale < SCALES.length; scale++) {
      double scaled = value * SCALES[scale];
      if (Math.abs(scaled) < 1L << 52) {
        long n = Math.round(scaled);
        double back = scale == 0 ? (double) n : n / SCALES[scale];
        if (Double.doubleToLongBits(back) == Double.doubleToLongBits(value)) {
          out.varint(((n << 1) ^ (n >> 63)) << 2 | scale);
          return;
        }
      }
    }
    out.varint(3);
    long bits = Double.doubleToRawLongBits(value);
    for (int shift = 56; shift >= 0; shift -= 8) {
      out.add((byte) (bits >>> shift));
    }
  }

  private static long readVarint(byte[] in, int[] position) {
    long result = 0;
    int shift = 0;
    while (true) {
      byte b = in[position[0]++];
      result |= (long) (b & 0x7F) << shift;
      if ((b & 0x80) == 0) {
        return result;
      }
      shift += 7;
    }
  }

  /** A growing byte array. */
  private static final class Bytes {
    private byte[] bytes;
    private int size;

    Bytes(int capacity) {
      bytes = new byte[Math.max(capacity, 8)];
    }

    void add(byte b) {
      if (size == bytes.length) {
        bytes = java.util.Arrays.copyOf(bytes, bytes.length * 2);
      }
      bytes[size++] = b;
    }

    void varint(long value) {
      while ((value & ~0x7FL) != 0) {
        add((byte) ((value & 0x7F) | 0x80));
        value >>>= 7;
      }
      add((byte) value);
    }

    byte[] toArray() {
      return java.util.Arrays.copyOf(bytes, size);
    }
  }
}
