package org.saam.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.streaming.api.functions.source.SourceFunction;
import org.saam.common.broker.Topics;
import org.saam.ingestion.simulator.Simulation;
import org.saam.ingestion.simulator.SimulationSettings;
import org.saam.stream.records.RawMessage;

/**
 * The readings queue replaced by memory, one simulated day at a time: the source hands the job a
 * day's messages when the benchmark releases that day, and waits (checkpoints go on) in between, so
 * that the job's state can be measured after each day. The job runs in this JVM, so the days and
 * the counters live in static fields.
 */
@SuppressWarnings(
    "deprecation") // SourceFunction, as the RabbitMQ source the job reads in production
final class DayByDayMessages implements SourceFunction<RawMessage> {
  private static final long serialVersionUID = 1L;

  private static volatile List<RawMessage> day = List.of();
  private static final AtomicInteger RELEASED = new AtomicInteger();
  private static final AtomicInteger DONE = new AtomicInteger();
  private static final AtomicLong EMITTED_READINGS = new AtomicLong();
  private static volatile List<Integer> readingsPerMessage = List.of();
  private static volatile boolean finished;

  private volatile boolean running = true;

  /** Builds a day's messages (before it is released); returns its readings. */
  static long build(SimulationSettings settings) throws InterruptedException {
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
    day = built;
    readingsPerMessage = counts;
    return simulation.readings();
  }

  static void reset() {
    RELEASED.set(0);
    DONE.set(0);
    EMITTED_READINGS.set(0);
    finished = false;
  }

  /** Lets the source send the day built last. */
  static void release() {
    RELEASED.incrementAndGet();
  }

  /** Days the source has sent in full. */
  static int daysSent() {
    return DONE.get();
  }

  static long emittedReadings() {
    return EMITTED_READINGS.get();
  }

  /** Lets the source end once it has sent what was released. */
  static void finish() {
    finished = true;
  }

  @Override
  public void run(SourceContext<RawMessage> context) throws InterruptedException {
    while (running) {
      if (DONE.get() < RELEASED.get()) {
        List<RawMessage> messages = day;
        List<Integer> counts = readingsPerMessage;
        for (int i = 0; i < messages.size() && running; i++) {
          RawMessage message = messages.get(i);
          synchronized (context.getCheckpointLock()) {
            context.collect(
                new RawMessage(message.routingKey(), message.body(), System.currentTimeMillis()));
          }
          EMITTED_READINGS.addAndGet(counts.get(i));
        }
        DONE.incrementAndGet();
      } else if (finished) {
        return;
      } else {
        Thread.sleep(20);
      }
    }
  }

  @Override
  public void cancel() {
    running = false;
  }
}
