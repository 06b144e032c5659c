package org.saam.bench;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Projections;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import org.bson.Document;
import org.saam.common.codec.DecodedBatch;
import org.saam.common.codec.PayloadException;
import org.saam.common.codec.ReadingBatchCodec;
import org.saam.common.records.Reading;
import org.saam.common.store.MeasurementBuckets;
import org.saam.ingestion.simulator.Simulation;

/**
 * Publish-to-stored latency, measured from outside: at most one message per {@code interval} is a
 * probe. Its publish instant is taken as it is handed to the publisher, and a poller looks for its
 * last reading in MongoDB every {@code pollMillis}; the latency is the first poll that finds it
 * minus the publish instant (so it is at most {@code pollMillis} too high). Probes travel in the
 * load like every other message, so they see the queue the load builds.
 *
 * <p>The homes of a benchmark have no resident: their buckets are keyed with {@code '-'}.
 */
public final class LatencyProbes implements AutoCloseable {
  private record Probe(String bucketId, String sampleKey, long publishedNanos) {}

  private final ReadingBatchCodec codec = new ReadingBatchCodec();
  private final MongoCollection<Document> measurements;
  private final long intervalNanos;
  private final long pollMillis;
  private final ConcurrentLinkedQueue<Probe> sent = new ConcurrentLinkedQueue<>();
  private final List<Double> latenciesMillis = new ArrayList<>();
  private final AtomicLong lastProbeNanos = new AtomicLong(Long.MIN_VALUE / 2);
  private final Thread poller;
  private volatile boolean running = true;
  private volatile RuntimeException pollFailure;
  private volatile int pending;

  private final Map<String, String> residents;

  public LatencyProbes(
      MongoCollection<Document> measurements, long intervalMillis, long pollMillis) {
    this(measurements, intervalMillis, pollMillis, Map.of());
  }

  /**
   * @param residents the person living at a location, by location id: their readings are stored in
   *     buckets that name them
   */
  public LatencyProbes(
      MongoCollection<Document> measurements,
      long intervalMillis,
      long pollMillis,
      Map<String, String> residents) {
    this.residents = Map.copyOf(residents);
    this.measurements = measurements;
    this.intervalNanos = intervalMillis * 1_000_000L;
    this.pollMillis = pollMillis;
    this.poller = new Thread(this::poll, "latency-probes");
    this.poller.setDaemon(true);
    this.poller.start();
  }

  /** Called just before {@code message} is handed to the publisher. */
  public void beforePublish(Simulation.Message message) {
    long now = System.nanoTime();
    long last = lastProbeNanos.get();
    if (now - last < intervalNanos || !lastProbeNanos.compareAndSet(last, now)) {
      return;
    }
    DecodedBatch decoded;
    try {
      decoded = codec.decode(message.payload());
    } catch (PayloadException e) {
      // The benchmark's load has no faults: a payload it cannot read is the simulator's bug.
      throw new IllegalStateException("the simulator sent a payload it cannot read back", e);
    }
    List<Reading> readings = decoded.batch().readings();
    if (readings.isEmpty()) {
      return;
    }
    Reading reading = readings.get(readings.size() - 1);
    long ts = reading.ts().toEpochMilli();
    sent.add(
        new Probe(
            MeasurementBuckets.id(
                decoded.batch().locationId(),
                reading.sourceId(),
                MeasurementBuckets.hourStart(ts),
                residents.get(decoded.batch().locationId())),
            Long.toString(ts),
            now));
  }

  private void poll() {
    Map<String, List<Probe>> waiting = new HashMap<>();
    try {
      while (running || !waiting.isEmpty()) {
        for (Probe probe; (probe = sent.poll()) != null; ) {
          waiting.computeIfAbsent(probe.bucketId(), id -> new ArrayList<>()).add(probe);
        }
        pending = waiting.values().stream().mapToInt(List::size).sum();
        if (!waiting.isEmpty()) {
          List<String> fields = new ArrayList<>();
          waiting
              .values()
              .forEach(
                  probes ->
                      probes.forEach(
                          p -> fields.add(MeasurementBuckets.SAMPLES + "." + p.sampleKey())));
          long found = System.nanoTime();
          for (Document bucket :
              measurements
                  .find(Filters.in("_id", waiting.keySet()))
                  .projection(Projections.include(fields))) {
            Document samples = bucket.get(MeasurementBuckets.SAMPLES, Document.class);
            List<Probe> probes = waiting.get(bucket.getString("_id"));
            if (samples == null || probes == null) {
              continue;
            }
            probes.removeIf(
                p -> {
                  if (!samples.containsKey(p.sampleKey())) {
                    return false;
                  }
                  record((found - p.publishedNanos()) / 1e6);
                  return true;
                });
          }
          waiting.values().removeIf(List::isEmpty);
        }
        Thread.sleep(pollMillis);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      pollFailure = e;
    }
  }

  private synchronized void record(double millis) {
    latenciesMillis.add(millis);
  }

  /** Probes sent and not found yet. */
  public int pending() {
    return pending + sent.size();
  }

  /** The latencies found so far. */
  public synchronized Percentiles percentiles() {
    failIfPollingFailed();
    return Percentiles.of(latenciesMillis.stream().mapToDouble(Double::doubleValue).toArray());
  }

  private void failIfPollingFailed() {
    if (pollFailure != null) {
      throw new IllegalStateException(
          "reading the probes from MongoDB failed: " + pollFailure.getMessage(), pollFailure);
    }
  }

  /** Waits until every probe was found or {@code timeoutMillis} passed; true when all were. */
  public boolean awaitAll(long timeoutMillis) throws InterruptedException {
    long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
    while (pending() > 0 && System.nanoTime() < deadline) {
      failIfPollingFailed();
      Thread.sleep(50);
    }
    return pending() == 0;
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    poller.interrupt();
    poller.join(5_000);
  }
}
