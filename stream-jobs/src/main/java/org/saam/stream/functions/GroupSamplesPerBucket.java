package org.saam.stream.functions;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.tasks.ProcessingTimeService;
import org.saam.common.store.MeasurementBuckets;
import org.saam.stream.records.BucketSamples;
import org.saam.stream.records.MeasuredReading;

/**
 * Groups readings of the same measurement bucket so the writer upserts each bucket once instead of
 * once per reading (a gateway's batch holds minutes of a few sources: tens of readings, a handful
 * of buckets).
 *
 * <p>Nothing is held across a checkpoint: every group is let go before the checkpoint barrier
 * passes ({@link #prepareSnapshotPreBarrier}), so the operator has no state and the writer's flush
 * on the checkpoint still covers every reading before it. Groups are also let go before a watermark
 * is forwarded, when {@code maxReadings} are held, after {@code flushIntervalMillis} of processing
 * time, and at the end of input. Memory is bounded by {@code maxReadings}.
 */
public final class GroupSamplesPerBucket extends AbstractStreamOperator<BucketSamples>
    implements OneInputStreamOperator<MeasuredReading, BucketSamples>,
        ProcessingTimeService.ProcessingTimeCallback {
  private static final long serialVersionUID = 1L;

  private final int maxReadings;
  private final long flushIntervalMillis;

  private transient Map<String, Group> groups;
  private transient int held;
  private transient boolean timerSet;

  /** One bucket's readings so far. */
  private static final class Group {
    final MeasuredReading first;
    long[] ts = new long[8];
    double[] values = new double[8];
    int size;

    Group(MeasuredReading first) {
      this.first = first;
    }

    void add(MeasuredReading reading) {
      if (size == ts.length) {
        ts = Arrays.copyOf(ts, size * 2);
        values = Arrays.copyOf(values, size * 2);
      }
      ts[size] = reading.tsMillis();
      values[size] = reading.value();
      size++;
    }

    BucketSamples samples() {
      return new BucketSamples(
          first.locationId(),
          first.userId(),
          first.sourceId(),
          first.device(),
          MeasurementBuckets.hourStart(first.tsMillis()),
          Arrays.copyOf(ts, size),
          Arrays.copyOf(values, size));
    }
  }

  /**
   * @param maxReadings readings held at most before every group is let go
   * @param flushIntervalMillis the longest a reading waits here (processing time)
   */
  public GroupSamplesPerBucket(int maxReadings, long flushIntervalMillis) {
    if (maxReadings < 1 || flushIntervalMillis < 1) {
      throw new IllegalArgumentException(
          "maxReadings and flushIntervalMillis must be at least 1, were "
              + maxReadings
              + " and "
              + flushIntervalMillis);
    }
    this.maxReadings = maxReadings;
    this.flushIntervalMillis = flushIntervalMillis;
  }

  @Override
  public void open() throws Exception {
    super.open();
    groups = new LinkedHashMap<>();
  }

  @Override
  public void processElement(StreamRecord<MeasuredReading> element) {
    MeasuredReading reading = element.getValue();
    String bucket =
        MeasurementBuckets.id(
            reading.locationId(),
            reading.sourceId(),
            MeasurementBuckets.hourStart(reading.tsMillis()),
            reading.userId());
    groups.computeIfAbsent(bucket, id -> new Group(reading)).add(reading);
    held++;
    if (held >= maxReadings) {
      letGo();
    } else if (!timerSet) {
      timerSet = true;
      ProcessingTimeService time = getProcessingTimeService();
      time.registerTimer(time.getCurrentProcessingTime() + flushIntervalMillis, this);
    }
  }

  @Override
  public void onProcessingTime(long time) {
    timerSet = false;
    letGo();
  }

  @Override
  public void processWatermark(Watermark mark) throws Exception {
    letGo();
    super.processWatermark(mark);
  }

  @Override
  public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
    letGo();
    super.prepareSnapshotPreBarrier(checkpointId);
  }

  @Override
  public void finish() throws Exception {
    letGo();
    super.finish();
  }

  private void letGo() {
    if (held == 0) {
      return;
    }
    for (Group group : groups.values()) {
      output.collect(new StreamRecord<>(group.samples()));
    }
    groups.clear();
    held = 0;
  }
}
