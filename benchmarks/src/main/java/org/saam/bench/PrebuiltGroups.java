package org.saam.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.streaming.api.functions.source.SourceFunction;
import org.saam.common.catalogue.SourceCatalogue;
import org.saam.common.codec.ReadingBatchCodec;
import org.saam.common.records.Reading;
import org.saam.common.records.ReadingBatch;
import org.saam.common.store.MeasurementBuckets;
import org.saam.ingestion.simulator.Simulation;
import org.saam.ingestion.simulator.SimulationSettings;
import org.saam.stream.records.BucketSamples;

/**
 * The sink benchmark's input: the simulator's readings as the job's grouping operator hands them to
 * the sink, one group per bucket per block of consecutive messages. Static for the reason of {@link
 * PrebuiltMessages}.
 */
@SuppressWarnings("deprecation") // SourceFunction, as the job's source
final class PrebuiltGroups implements SourceFunction<BucketSamples> {
  private static final long serialVersionUID = 1L;

  private static volatile List<BucketSamples> groups = List.of();
  private static volatile long readingsTotal;

  private volatile boolean running = true;

  private PrebuiltGroups() {}

  static PrebuiltGroups of(SimulationSettings settings, int messagesPerGroup) throws Exception {
    ReadingBatchCodec codec = new ReadingBatchCodec();
    SourceCatalogue catalogue = SourceCatalogue.loadDefault();
    Simulation simulation = new Simulation(settings);
    List<BucketSamples> built = new ArrayList<>();
    Map<String, List<Reading>> open = new LinkedHashMap<>();
    Map<String, String> locations = new LinkedHashMap<>();
    int[] messages = {0};
    simulation.run(
        message -> {
          ReadingBatch batch;
          try {
            batch = codec.decode(message.payload()).batch();
          } catch (Exception e) {
            throw new IllegalStateException("the simulator sent a payload the codec refuses", e);
          }
          for (Reading reading : batch.readings()) {
            long hour = MeasurementBuckets.hourStart(reading.ts().toEpochMilli());
            String key = batch.locationId() + "|" + reading.sourceId() + "|" + hour;
            open.computeIfAbsent(key, k -> new ArrayList<>()).add(reading);
            locations.put(key, batch.locationId());
          }
          if (++messages[0] % messagesPerGroup == 0) {
            close(open, locations, catalogue, built);
          }
        },
        Simulation.Pacer.FULL_SPEED);
    close(open, locations, catalogue, built);
    groups = List.copyOf(built);
    readingsTotal = simulation.readings();
    return new PrebuiltGroups();
  }

  private static void close(
      Map<String, List<Reading>> open,
      Map<String, String> locations,
      SourceCatalogue catalogue,
      List<BucketSamples> built) {
    open.forEach(
        (key, readings) -> {
          Reading first = readings.get(0);
          long[] ts = new long[readings.size()];
          double[] values = new double[readings.size()];
          for (int i = 0; i < ts.length; i++) {
            ts[i] = readings.get(i).ts().toEpochMilli();
            values[i] = readings.get(i).value();
          }
          String device = catalogue.source(first.sourceId()).map(s -> s.group()).orElse("unknown");
          built.add(
              new BucketSamples(
                  locations.get(key),
                  MeasurementBuckets.NO_PERSON,
                  first.sourceId(),
                  device,
                  MeasurementBuckets.hourStart(ts[0]),
                  ts,
                  values));
        });
    open.clear();
    locations.clear();
  }

  long readings() {
    return readingsTotal;
  }

  long groups() {
    return groups.size();
  }

  @Override
  public void run(SourceContext<BucketSamples> context) {
    for (BucketSamples group : groups) {
      if (!running) {
        return;
      }
      synchronized (context.getCheckpointLock()) {
        context.collect(group);
      }
    }
  }

  @Override
  public void cancel() {
    running = false;
  }
}
