package org.saam.bench.jmh;

import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.saam.stream.features.DayFeatures;
import org.saam.stream.features.FeatureValue;
import org.saam.stream.features.FeatureWindow;
import org.saam.stream.features.Sample;
import org.saam.stream.features.SleepFeatures;

/**
 * Every feature function over one person's window, with a day's worth of samples at the rates the
 * simulator produces (one presence, motion, step and heart-rate sample a minute; beat intervals
 * during five-minute recordings; a room change every few minutes; a handful of calls, games and
 * weighings). Time per window: the work a window's firing costs the job.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class FeatureBenchmark {
  private static final ZoneId ZONE = ZoneId.of("Europe/Oslo");
  private final LocalDate date = LocalDate.of(2026, 11, 22);
  private FeatureWindow night;
  private FeatureWindow day;
  private List<Sample> presence;
  private List<Sample> movement;
  private List<Sample> steps;
  private List<Sample> rooms;
  private List<Sample> heartRate;
  private List<Sample> beatIntervals;
  private List<Sample> voices;
  private List<Sample> calls;
  private List<Sample> scores;
  private List<Sample> weighings;

  @Setup
  public void samples() {
    night = FeatureWindow.night(date, ZONE);
    day = FeatureWindow.day(date, ZONE);
    SplittableRandom random = new SplittableRandom(42);
    long from = Math.min(night.start().toEpochMilli(), day.start().toEpochMilli());
    long to = Math.max(night.end().toEpochMilli(), day.end().toEpochMilli());
    presence = new ArrayList<>();
    movement = new ArrayList<>();
    steps = new ArrayList<>();
    heartRate = new ArrayList<>();
    voices = new ArrayList<>();
    for (long t = from; t < to; t += 60_000) {
      presence.add(new Sample(t, random.nextInt(2)));
      movement.add(new Sample(t, random.nextInt(2)));
      steps.add(new Sample(t, random.nextInt(120)));
      heartRate.add(new Sample(t, 55 + random.nextInt(40)));
      voices.add(new Sample(t, random.nextInt(2)));
    }
    beatIntervals = new ArrayList<>();
    for (int recording = 0; recording < 6; recording++) {
      long start = day.start().toEpochMilli() + recording * 4 * 3_600_000L;
      for (long t = start; t < start + 300_000; t += 900) {
        beatIntervals.add(new Sample(t, 800 + random.nextInt(200)));
      }
    }
    rooms = new ArrayList<>();
    for (long t = day.start().toEpochMilli(); t < day.end().toEpochMilli(); t += 240_000) {
      rooms.add(new Sample(t, random.nextInt(6)));
    }
    calls = List.of(new Sample(day.start().toEpochMilli() + 3_600_000, 1));
    scores = List.of(new Sample(day.start().toEpochMilli() + 7_200_000, 71));
    weighings = new ArrayList<>();
    for (int meal = 0; meal < 3; meal++) {
      long t = day.start().toEpochMilli() + (8 + 5 * meal) * 3_600_000L;
      weighings.add(new Sample(t, -120));
      weighings.add(new Sample(t + 600_000, -80));
    }
  }

  @Benchmark
  public List<FeatureValue> sleep() {
    return SleepFeatures.compute(night, presence, movement);
  }

  @Benchmark
  public List<FeatureValue> activity() {
    return DayFeatures.activity(day, steps, presence);
  }

  @Benchmark
  public List<FeatureValue> mobility() {
    return DayFeatures.mobility(day, rooms, null);
  }

  @Benchmark
  public List<FeatureValue> cardiovascular() {
    return DayFeatures.cardiovascular(day, heartRate, beatIntervals);
  }

  @Benchmark
  public List<FeatureValue> social() {
    return DayFeatures.social(day, voices, calls);
  }

  @Benchmark
  public List<FeatureValue> cognitive() {
    return DayFeatures.cognitive(day, scores);
  }

  @Benchmark
  public List<FeatureValue> nutrition() {
    return DayFeatures.nutrition(day, weighings);
  }
}
