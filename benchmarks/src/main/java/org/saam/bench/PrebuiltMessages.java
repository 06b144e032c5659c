package org.saam.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.streaming.api.functions.source.SourceFunction;
import org.saam.common.broker.Topics;
import org.saam.ingestion.simulator.Simulation;
import org.saam.ingestion.simulator.SimulationSettings;
import org.saam.stream.records.RawMessage;

/**
 * The readings queue replaced by memory: the simulator's messages, built before the job starts,
 * handed to the job as fast as it takes them. The job runs in this JVM (a local environment), so
 * the messages and the counters live in static fields instead of travelling in the job graph.
 */
@SuppressWarnings(
    "deprecation") // SourceFunction, as the RabbitMQ source the job reads in production
final class PrebuiltMessages implements SourceFunction<RawMessage> {
  private static final long serialVersionUID = 1L;

  private static volatile List<RawMessage> messages = List.of();
  private static volatile long readingsTotal;
  private static final AtomicLong FIRST_EMIT = new AtomicLong();
  private static final AtomicLong EMITTED_READINGS = new AtomicLong();
  private static volatile List<Integer> readingsPerMessage = List.of();

  private volatile boolean running = true;

  private PrebuiltMessages() {}

  /** Builds every message of the simulation now (the benchmark's clock has not started). */
  static PrebuiltMessages of(SimulationSettings settings) throws InterruptedException {
    Simulation simulation = new Simulation(settings);
    List<RawMessage> built = new ArrayList<>();
    List<Integer> counts = new ArrayList<>();
    long[] before = {0};
    simulation.run(
        message -> {
          built.add(
              new RawMessage(
                  Topics.readingsRoutingKey(message.locationId()), message.payload(), 0L));
          long now = simulation.readings();
          counts.add((int) (now - before[0]));
          before[0] = now;
        },
        Simulation.Pacer.FULL_SPEED);
    messages = List.copyOf(built);
    readingsPerMessage = List.copyOf(counts);
    readingsTotal = simulation.readings();
    FIRST_EMIT.set(0);
    EMITTED_READINGS.set(0);
    return new PrebuiltMessages();
  }

  long readings() {
    return readingsTotal;
  }

  long messages() {
    return messages.size();
  }

  /** When the first message was handed to the job ({@link System#nanoTime()}), 0 before. */
  static long firstEmitNanos() {
    return FIRST_EMIT.get();
  }

  static long emittedReadings() {
    return EMITTED_READINGS.get();
  }

  @Override
  public void run(SourceContext<RawMessage> context) {
    List<RawMessage> all = messages;
    List<Integer> counts = readingsPerMessage;
    FIRST_EMIT.compareAndSet(0, System.nanoTime());
    for (int i = 0; i < all.size() && running; i++) {
      RawMessage message = all.get(i);
      synchronized (context.getCheckpointLock()) {
        context.collect(
            new RawMessage(message.routingKey(), message.body(), System.currentTimeMillis()));
      }
      EMITTED_READINGS.addAndGet(counts.get(i));
    }
  }

  @Override
  public void cancel() {
    running = false;
  }
}
