package org.saam.bench;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.saam.stream.records.BucketSamples;

/**
 * A sink that counts what reaches it and keeps nothing: the job's writes without a store. A group
 * of readings of one bucket counts as its readings; anything else as one.
 */
final class CountingSink<T> implements Sink<T> {
  private static final long serialVersionUID = 1L;

  static final String MEASUREMENTS = "measurements";
  static final String QUARANTINE = "quarantine";
  static final String COMPLETENESS = "completeness";
  static final String FEATURES = "features";
  static final String COACHING = "coaching";

  private static final Map<String, LongAdder> COUNTS = new ConcurrentHashMap<>();
  private static final Map<String, LongAdder> ELEMENTS = new ConcurrentHashMap<>();

  private final String name;

  CountingSink(String name) {
    this.name = name;
  }

  static void reset() {
    COUNTS.clear();
    ELEMENTS.clear();
  }

  /** Readings (for measurements) or records (for the others) written so far. */
  static long count(String name) {
    LongAdder adder = COUNTS.get(name);
    return adder == null ? 0 : adder.sum();
  }

  /** Writes so far (a bucket group is one). */
  static long elements(String name) {
    LongAdder adder = ELEMENTS.get(name);
    return adder == null ? 0 : adder.sum();
  }

  @Override
  @SuppressWarnings("deprecation") // the variant the job's own sinks implement
  public SinkWriter<T> createWriter(InitContext context) {
    LongAdder count = COUNTS.computeIfAbsent(name, n -> new LongAdder());
    LongAdder elements = ELEMENTS.computeIfAbsent(name, n -> new LongAdder());
    return new SinkWriter<>() {
      @Override
      public void write(T element, Context writeContext) {
        elements.increment();
        count.add(element instanceof BucketSamples group ? group.tsMillis().length : 1);
      }

      @Override
      public void flush(boolean endOfInput) {}

      @Override
      public void close() {}
    };
  }
}
