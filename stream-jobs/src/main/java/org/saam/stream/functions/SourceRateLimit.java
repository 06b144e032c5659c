package org.saam.stream.functions;

import java.time.Duration;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.saam.common.catalogue.SourceCatalogue;
import org.saam.common.catalogue.SourceDefinition;
import org.saam.common.codec.RejectionReason;
import org.saam.common.store.QuarantineEntry;
import org.saam.stream.metrics.PipelineMetrics;
import org.saam.stream.records.MeasuredReading;

/**
 * Bounds every hourly measurement bucket: keyed by location, it counts the readings let through per
 * {@link #bucket source and UTC hour} and refuses those beyond the source's {@code max_per_hour} of
 * the catalogue as {@code rate_exceeded}, to quarantine. Keyed by location (not by bucket) so that
 * one home's readings keep their order on the way to its feature windows.
 *
 * <p>A count lives while its bucket keeps receiving readings and is dropped after {@code stateTtl}
 * without one (processing time), so state stays bounded by the buckets written recently. A bucket
 * written again after such a silence starts a new count: its size is then bounded by {@code
 * max_per_hour} per period of activity. Even at the highest rate a catalogue may set, about 3 such
 * periods fit under MongoDB's 16 MiB, at the default rates hundreds do.
 *
 * <p>Metrics: {@code saam_readings_refused_total{reason="rate_exceeded"}}.
 */
public final class SourceRateLimit
    extends KeyedProcessFunction<String, MeasuredReading, MeasuredReading> {
  private static final long serialVersionUID = 1L;
  private static final long HOUR_MILLIS = 3_600_000L;

  /** Readings refused for their rate, bound for quarantine. */
  public static final OutputTag<QuarantineEntry> REFUSED =
      new OutputTag<>("rate-exceeded", TypeInformation.of(QuarantineEntry.class)) {};

  private final SourceCatalogue catalogue;
  private final Duration stateTtl;

  private transient MapState<String, Integer> counts;
  private transient Counter refused;

  /**
   * @param catalogue where each source's {@code max_per_hour} comes from
   * @param stateTtl how long a bucket's count is kept after its last reading
   */
  public SourceRateLimit(SourceCatalogue catalogue, Duration stateTtl) {
    this.catalogue = catalogue;
    this.stateTtl = stateTtl;
  }

  /** The bucket a reading is counted in, within its location: {@code <source>|<hour epoch s>}. */
  public static String bucket(MeasuredReading reading) {
    return reading.sourceId() + "|" + Math.floorDiv(reading.tsMillis(), HOUR_MILLIS) * 3600;
  }

  @Override
  public void open(Configuration parameters) {
    MapStateDescriptor<String, Integer> descriptor =
        new MapStateDescriptor<>("counts-by-bucket", Types.STRING, Types.INT);
    descriptor.enableTimeToLive(
        StateTtlConfig.newBuilder(stateTtl)
            .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
            .setStateVisibility(StateTtlConfig.StateVisibility.NeverReturnExpired)
            // On the heap, each cleanup step copies a whole home's map of counts; the default of
            // 5 steps per access cost a third of the job's CPU (JFR, benchmarks/RESULTS.md). One
            // step per access still sweeps every home while readings arrive.
            .cleanupIncrementally(1, false)
            .build());
    counts = getRuntimeContext().getMapState(descriptor);
    refused =
        PipelineMetrics.refused(
            getRuntimeContext().getMetricGroup(), RejectionReason.RATE_EXCEEDED);
  }

  @Override
  public void processElement(
      MeasuredReading reading, Context context, Collector<MeasuredReading> out) throws Exception {
    int limit =
        catalogue
            .source(reading.sourceId())
            .map(SourceDefinition::maxPerHour)
            .orElse(SourceDefinition.DEFAULT_MAX_PER_HOUR);
    String bucket = bucket(reading);
    Integer seen = counts.get(bucket);
    int now = seen == null ? 0 : seen;
    if (now >= limit) {
      refused.inc();
      context.output(
          REFUSED,
          reading.quarantined(
              RejectionReason.RATE_EXCEEDED,
              "'"
                  + reading.sourceId()
                  + "' already has "
                  + limit
                  + " readings in the hour of "
                  + java.time.Instant.ofEpochMilli(reading.tsMillis())
                  + " at "
                  + reading.locationId()
                  + "; the catalogue allows at most "
                  + limit
                  + " per hour",
              System.currentTimeMillis()));
      return;
    }
    counts.put(bucket, now + 1);
    out.collect(reading);
  }
}
