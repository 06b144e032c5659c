package org.saam.stream.features;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.doubles;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.longs;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

/** The bytes a feature cell keeps: a function of the set of distinct samples, exact values. */
class SampleCellTest {
  private static final long CELL_START = 1_762_992_000_000L; // a 15-minute boundary

  /** Values as sensors send them (small integers, one or three decimals) and any double. */
  private static Gen<Double> values() {
    Gen<Double> integral = integers().between(-20_000, 20_000).map(i -> (double) i);
    Gen<Double> tenths = integers().between(-20_000, 20_000).map(i -> i / 10.0);
    Gen<Double> thousandths = integers().between(-2_000_000, 2_000_000).map(i -> i / 1000.0);
    return integral.mix(tenths).mix(thousandths).mix(doubles().any());
  }

  private static Gen<Sample> samples() {
    Gen<Long> offsets =
        integers().between(0, 899).map(s -> s * 1000L).mix(longs().between(0, 899_999));
    return offsets.zip(values(), (offset, value) -> new Sample(CELL_START + offset, value));
  }

  private static byte[] addAll(List<Sample> samples) {
    byte[] cell = null;
    for (Sample sample : samples) {
      SampleCell.Added added = SampleCell.add(cell, CELL_START, sample.tsMillis(), sample.value());
      if (added.outcome() == SampleCell.Outcome.CHANGED) {
        cell = added.cell();
      }
    }
    return cell;
  }

  @Test
  void samplesAddedTwiceAndInAnyOrderGiveTheBytesOfTheDistinctSamples() {
    qt().withExamples(300)
        .forAll(lists().of(samples()).ofSizeBetween(1, 120), longs().all())
        .checkAssert(
            (input, seed) -> {
              // The expected cell: one value per timestamp, the largest, in timestamp order.
              TreeMap<Long, Double> distinct = new TreeMap<>();
              for (Sample sample : input) {
                distinct.merge(
                    sample.tsMillis(), sample.value(), (a, b) -> Double.compare(a, b) >= 0 ? a : b);
              }
              List<Sample> expected = new ArrayList<>();
              distinct.forEach((ts, value) -> expected.add(new Sample(ts, value)));

              List<Sample> delivered = new ArrayList<>(input);
              Random random = new Random(seed);
              for (Sample sample : input) {
                if (random.nextInt(4) == 0) {
                  delivered.add(sample);
                }
              }
              Collections.shuffle(delivered, random);
              byte[] cell = addAll(delivered);

              assertThat(SampleCell.decode(cell, CELL_START)).isEqualTo(expected);
              assertThat(cell).isEqualTo(SampleCell.encode(expected, CELL_START));
              assertThat(cell).isEqualTo(addAll(input));
            });
  }

  @Test
  void everyDoubleComesBackBitForBit() {
    qt().withExamples(2_000)
        .forAll(doubles().any())
        .checkAssert(
            value -> {
              List<Sample> back =
                  SampleCell.decode(
                      SampleCell.add(null, CELL_START, CELL_START, value).cell(), CELL_START);
              assertThat(Double.doubleToRawLongBits(back.get(0).value()))
                  .isEqualTo(Double.doubleToRawLongBits(value));
            });
    for (double value :
        new double[] {
          -0.0, Double.NaN, Double.POSITIVE_INFINITY, Double.MIN_VALUE, Double.MAX_VALUE, 0.1, 62.3
        }) {
      byte[] cell = SampleCell.add(null, CELL_START, CELL_START + 7, value).cell();
      assertThat(Double.doubleToRawLongBits(SampleCell.decode(cell, CELL_START).get(0).value()))
          .isEqualTo(Double.doubleToRawLongBits(value));
    }
  }

  @Test
  void aResentSampleChangesNothingAndSensorValuesTakeAFewBytes() {
    byte[] cell = null;
    for (int minute = 0; minute < 15; minute++) {
      cell = SampleCell.add(cell, CELL_START, CELL_START + minute * 60_000L, 40 + minute).cell();
    }
    assertThat(SampleCell.add(cell, CELL_START, CELL_START + 60_000L, 41).outcome())
        .isEqualTo(SampleCell.Outcome.UNCHANGED);
    assertThat(cell).as("15 per-minute step counts, 3 bytes each").hasSizeLessThanOrEqualTo(15 * 3);
  }

  @Test
  void aFullCellTakesNoMoreAndASampleBeforeTheCellIsRefused() {
    byte[] cell = null;
    for (int i = 0; i < SampleCell.MAX_SAMPLES; i++) {
      cell = SampleCell.add(cell, CELL_START, CELL_START + i, 1).cell();
    }
    assertThat(SampleCell.add(cell, CELL_START, CELL_START + 5_000, 1).outcome())
        .isEqualTo(SampleCell.Outcome.FULL);
    assertThat(SampleCell.add(cell, CELL_START, CELL_START + 5, 1).outcome())
        .as("a sample it has is still recognised")
        .isEqualTo(SampleCell.Outcome.UNCHANGED);
    assertThatThrownBy(() -> SampleCell.add(null, CELL_START, CELL_START - 1, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("before its cell");
  }
}
