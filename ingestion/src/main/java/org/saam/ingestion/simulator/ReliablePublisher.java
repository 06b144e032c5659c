package org.saam.ingestion.simulator;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.saam.ingestion.gateway.GatewayPublisher;
import org.saam.ingestion.gateway.MqttSettings;

/**
 * Publishes simulation messages with QoS 1 on a thread of its own and never loses one: while the
 * broker is away it reconnects with exponential back-off (0.5 s doubling to 10 s) and sends the
 * unacknowledged message again, so a message may arrive twice but never not at all. The buffer is
 * bounded: when it is full, {@link #accept} blocks and the simulation waits (it can, being a
 * simulation; a real gateway would spill to disk).
 */
public final class ReliablePublisher implements Simulation.MessageSink, AutoCloseable {
  private static final Simulation.Message END = new Simulation.Message("", new byte[0], "", -1);
  private static final Duration FIRST_BACKOFF = Duration.ofMillis(500);
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(10);

  private final MqttSettings settings;
  private final Duration giveUpAfter;
  private final BlockingQueue<Simulation.Message> buffer;
  private final Thread worker;
  private final AtomicLong published = new AtomicLong();
  private final AtomicLong reconnects = new AtomicLong();
  private volatile Exception failure;
  private volatile String lastError;
  private volatile GatewayPublisher connection;

  /**
   * @param settings how to reach the broker
   * @param bufferSize messages held while the broker is slow or away
   * @param giveUpAfter how long to keep retrying one message before failing
   */
  public ReliablePublisher(MqttSettings settings, int bufferSize, Duration giveUpAfter) {
    this.settings = settings;
    this.giveUpAfter = giveUpAfter;
    this.buffer = new ArrayBlockingQueue<>(bufferSize);
    this.worker = new Thread(this::drain, "simulator-publisher");
    this.worker.setDaemon(true);
  }

  /** Connects once, so that a wrong address or password fails fast, then starts publishing. */
  public ReliablePublisher start() throws MqttException, IOException {
    connection = GatewayPublisher.connect(settings);
    worker.start();
    return this;
  }

  @Override
  public void accept(Simulation.Message message) throws InterruptedException {
    if (failure != null) {
      throw new IllegalStateException("publishing stopped: " + failure.getMessage(), failure);
    }
    buffer.put(message);
  }

  private void drain() {
    try {
      while (true) {
        Simulation.Message message = buffer.take();
        if (message == END) {
          return;
        }
        publish(message);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException | RuntimeException e) {
      failure = e;
      buffer.clear();
    }
  }

  private void publish(Simulation.Message message) throws InterruptedException, IOException {
    long deadline = System.nanoTime() + giveUpAfter.toNanos();
    Duration backoff = FIRST_BACKOFF;
    while (true) {
      try {
        if (connection == null || !connection.isConnected()) {
          closeQuietly();
          connection = GatewayPublisher.connect(settings);
        }
        connection.publishRaw(message.topic(), message.payload());
        published.incrementAndGet();
        return;
      } catch (MqttException e) {
        lastError = e.getMessage() + (e.getCause() == null ? "" : " (" + e.getCause() + ")");
        closeQuietly();
        if (System.nanoTime() > deadline) {
          throw new IOException(
              "gave up on "
                  + message.locationId()
                  + " seq "
                  + message.seq()
                  + " after "
                  + giveUpAfter.toSeconds()
                  + " s: "
                  + lastError,
              e);
        }
        reconnects.incrementAndGet();
        Thread.sleep(backoff.toMillis());
        backoff =
            backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0
                ? MAX_BACKOFF
                : backoff.multipliedBy(2);
      }
    }
  }

  private void closeQuietly() {
    if (connection != null) {
      try {
        connection.close();
      } catch (MqttException e) {
        // The connection is already broken; a new one replaces it.
        lastError = "while closing: " + e.getMessage();
      }
      connection = null;
    }
  }

  /** Waits until every buffered message is published, then disconnects. */
  @Override
  public void close() throws IOException, InterruptedException {
    if (worker.isAlive()) {
      buffer.put(END);
      worker.join();
    }
    closeQuietly();
    if (failure != null) {
      throw new IOException("publishing failed: " + failure.getMessage(), failure);
    }
  }

  public long published() {
    return published.get();
  }

  public long reconnects() {
    return reconnects.get();
  }

  public int buffered() {
    return buffer.size();
  }

  public boolean connected() {
    GatewayPublisher current = connection;
    return current != null && current.isConnected();
  }

  public String lastError() {
    return lastError;
  }
}
