package org.saam.stream.functions;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.saam.common.store.LocationCompleteness;
import org.saam.stream.metrics.PipelineMetrics;
import org.saam.stream.records.BatchReceived;

/**
 * Per location, notices batches that never arrived: a seq above the highest one seen opens a gap
 * for every seq skipped; a late batch closes its gap. Emits the location's completeness whenever it
 * changes. Repeated batches change nothing.
 *
 * <p>At most {@value #MAX_TRACKED} missing seqs are remembered per location (beyond that they are
 * only counted). State expires 30 days after the location's last batch.
 *
 * <p>Metrics ({@link PipelineMetrics}): {@code saam_batches_missing} (currently missing, goes down
 * when late batches arrive), {@code saam_sequence_gaps_total}.
 */
public final class SeqGapTracker
    extends KeyedProcessFunction<String, BatchReceived, LocationCompleteness> {
  private static final long serialVersionUID = 1L;

  /** Most missing seqs remembered per location. */
  public static final int MAX_TRACKED = 10_000;

  private transient ValueState<Long> highest;
  private transient ValueState<Long> missingCount;
  private transient MapState<Long, Boolean> missing;
  private transient Counter missingBatches;
  private transient Counter gapsDetected;

  @Override
  public void open(Configuration parameters) {
    StateTtlConfig ttl =
        StateTtlConfig.newBuilder(Duration.ofDays(30))
            .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
            .build();
    ValueStateDescriptor<Long> highestDescriptor =
        new ValueStateDescriptor<>("highest-seq", Long.class);
    highestDescriptor.enableTimeToLive(ttl);
    ValueStateDescriptor<Long> countDescriptor =
        new ValueStateDescriptor<>("missing-count", Long.class);
    countDescriptor.enableTimeToLive(ttl);
    MapStateDescriptor<Long, Boolean> missingDescriptor =
        new MapStateDescriptor<>("missing-seqs", Long.class, Boolean.class);
    missingDescriptor.enableTimeToLive(ttl);
    highest = getRuntimeContext().getState(highestDescriptor);
    missingCount = getRuntimeContext().getState(countDescriptor);
    missing = getRuntimeContext().getMapState(missingDescriptor);
    missingBatches =
        getRuntimeContext()
            .getMetricGroup()
            .addGroup(PipelineMetrics.GROUP)
            .counter("batches_missing");
    gapsDetected = PipelineMetrics.sequenceGaps(getRuntimeContext().getMetricGroup());
  }

  @Override
  public void processElement(
      BatchReceived batch, Context context, Collector<LocationCompleteness> out) throws Exception {
    long seq = batch.seq();
    Long previous = highest.value();
    long count = missingCount.value() == null ? 0 : missingCount.value();
    boolean changed = false;
    if (previous == null) {
      // The first batch seen: earlier seqs belong to before the platform knew the gateway.
      highest.update(seq);
      changed = true;
    } else if (seq > previous) {
      long skipped = seq - previous - 1;
      if (skipped > 0) {
        gapsDetected.inc();
        missingBatches.inc(skipped);
        // Remember individual seqs while there is room; the rest are counted, never filled.
        long room = Math.max(0, MAX_TRACKED - tracked());
        for (long s = previous + 1; s < seq && room > 0; s++, room--) {
          missing.put(s, Boolean.TRUE);
        }
        count += skipped;
      }
      highest.update(seq);
      changed = true;
    } else if (missing.contains(seq)) {
      missing.remove(seq);
      count--;
      missingBatches.dec();
      changed = true;
    }
    if (changed) {
      missingCount.update(count);
      out.collect(
          new LocationCompleteness(
              batch.locationId(), highest.value(), count, sample(), System.currentTimeMillis()));
    }
  }

  private long tracked() throws Exception {
    long entries = 0;
    for (Long ignored : missing.keys()) {
      entries++;
      if (entries >= MAX_TRACKED) {
        break;
      }
    }
    return entries;
  }

  /** The first missing seqs as ranges, for people to read. */
  private String sample() throws Exception {
    List<Long> seqs = new ArrayList<>();
    for (Long seq : missing.keys()) {
      seqs.add(seq);
    }
    seqs.sort(null);
    StringBuilder text = new StringBuilder();
    int ranges = 0;
    for (int i = 0; i < seqs.size() && ranges < 20; ) {
      int j = i;
      while (j + 1 < seqs.size() && seqs.get(j + 1) == seqs.get(j) + 1) {
        j++;
      }
      text.append(text.length() == 0 ? "" : ",").append(seqs.get(i));
      if (j > i) {
        text.append('-').append(seqs.get(j));
      }
      ranges++;
      i = j + 1;
    }
    return text.toString();
  }
}
