package org.saam.ingestion.simulator;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.saam.ingestion.gateway.GatewayPublisher;
import org.saam.ingestion.gateway.MqttSettings;

/**
 * Publishes simulation messages with QoS 1 on a thread of its own and never loses one. Up to 50
 * messages are in flight at once (waiting for each acknowledgement in turn would limit a gateway to
 * one message per broker round trip). While the broker is away it reconnects with exponential
 * back-off (0.5 s doubling to 10 s) and sends every unacknowledged message again, in order, so a
 * message may arrive twice but never not at all. The buffer is bounded: when it is full, {@link
 * #accept} blocks and the simulation waits (it can, being a simulation; a real gateway would spill
 * to disk).
 */
public final class ReliablePublisher implements Simulation.MessageSink, AutoCloseable {
  private static final Simulation.Message END = new Simulation.Message("", new byte[0], "", -1);
  private static final Duration FIRST_BACKOFF = Duration.ofMillis(500);
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(10);
  private static final int WINDOW = GatewayPublisher.MAX_IN_FLIGHT / 2;
  private static final long ACK_TIMEOUT_MS = 30_000;

  /** Sent but not yet acknowledged, oldest first; only the worker thread touches these. */
  private final Deque<Simulation.Message> window = new ArrayDeque<>();

  private final Deque<IMqttDeliveryToken> tokens = new ArrayDeque<>();

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
          flushWindow();
          return;
        }
        window.addLast(message);
        send(message);
        if (window.size() >= WINDOW) {
          awaitOldest();
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException | RuntimeException e) {
      failure = e;
      buffer.clear();
    }
  }

  /**
   * Sends one message of the window. A failure is not thrown here: the window's tokens are checked
   * in order, and a broken connection is repaired by {@link #recover} before anything is lost.
   */
  private void send(Simulation.Message message) throws InterruptedException, IOException {
    try {
      if (connection == null || !connection.isConnected()) {
        recover(null);
        return; // recover() has re-sent the whole window, this message included
      }
      tokens.addLast(connection.publishAsync(message.topic(), message.payload()));
    } catch (MqttException e) {
      recover(e);
    }
  }

  /** Waits for the oldest message of the window to be acknowledged. */
  private void awaitOldest() throws InterruptedException, IOException {
    while (!window.isEmpty()) {
      try {
        tokens.peekFirst().waitForCompletion(ACK_TIMEOUT_MS);
        tokens.removeFirst();
        window.removeFirst();
        published.incrementAndGet();
        return;
      } catch (MqttException e) {
        recover(e);
      }
    }
  }

  private void flushWindow() throws InterruptedException, IOException {
    while (!window.isEmpty()) {
      awaitOldest();
    }
  }

  /**
   * Reconnects with back-off and re-sends every unacknowledged message of the window, in order.
   * Some may have reached the broker already: they arrive twice, none is lost.
   */
  private void recover(MqttException cause) throws InterruptedException, IOException {
    long deadline = System.nanoTime() + giveUpAfter.toNanos();
    Duration backoff = FIRST_BACKOFF;
    if (cause != null) {
      lastError = describe(cause);
    }
    while (true) {
      closeQuietly();
      tokens.clear();
      try {
        connection = GatewayPublisher.connect(settings);
        for (Simulation.Message pending : window) {
          tokens.addLast(connection.publishAsync(pending.topic(), pending.payload()));
        }
        return;
      } catch (MqttException e) {
        lastError = describe(e);
        if (System.nanoTime() > deadline) {
          Simulation.Message oldest = window.peekFirst();
          throw new IOException(
              "gave up after "
                  + giveUpAfter.toSeconds()
                  + " s without the broker"
                  + (oldest == null
                      ? ""
                      : " (oldest unsent: " + oldest.locationId() + " seq " + oldest.seq() + ")")
                  + ": "
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

  private static String describe(MqttException e) {
    return e.getMessage() + (e.getCause() == null ? "" : " (" + e.getCause() + ")");
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

  /** Whether the broker is unreachable while messages wait to be published. */
  public boolean retrying() {
    GatewayPublisher current = connection;
    return worker.isAlive() && (current == null || !current.isConnected());
  }

  public String lastError() {
    return lastError;
  }
}
