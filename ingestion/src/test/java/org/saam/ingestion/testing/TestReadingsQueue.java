package org.saam.ingestion.testing;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import java.util.UUID;
import org.saam.ingestion.broker.BrokerTopology;
import org.saam.ingestion.broker.ReadingsQueue;

/**
 * A readings queue of one test's own: a quorum queue with the production arguments, bound only to
 * the routing key of one home no other test uses ({@code <prefix>0001}). Deleted on close.
 */
public final class TestReadingsQueue implements AutoCloseable {
  private final Connection connection;
  private final ReadingsQueue queue;
  private final String locationId;

  private TestReadingsQueue(Connection connection, ReadingsQueue queue, String locationId) {
    this.connection = connection;
    this.queue = queue;
    this.locationId = locationId;
  }

  /** Declares a fresh queue for a fresh location. */
  public static TestReadingsQueue declare() throws Exception {
    return declare(1);
  }

  /** Declares a fresh queue for {@code homes} fresh locations, prefix + 0001, 0002, ... */
  public static TestReadingsQueue declare(int homes) throws Exception {
    String suffix = UUID.randomUUID().toString().substring(0, 8);
    String locationId = "it-" + suffix + "-";
    Connection connection = LocalStackEndpoints.amqp().newConnection("saam-it");
    ReadingsQueue queue =
        new ReadingsQueue(
            "saam.readings.it-" + suffix, "saam." + locationId + "0001.readings", 100_000);
    BrokerTopology.install(connection, queue);
    try (Channel channel = connection.createChannel()) {
      for (int home = 2; home <= homes; home++) {
        channel.queueBind(
            queue.queue(),
            "amq.topic",
            "saam." + locationId + String.format("%04d", home) + ".readings");
      }
    }
    return new TestReadingsQueue(connection, queue, locationId);
  }

  /** The queue's names and limits, for {@code Quarantine.collectDeadLetters}. */
  public ReadingsQueue readingsQueue() {
    return queue;
  }

  /**
   * Drops every message waiting in the queue (a test that feeds a second job afresh). Call it once
   * the previous job has ended, not merely been asked to cancel: its consumer hands the messages it
   * has not acknowledged back to the queue only when its channel closes, and they would reach the
   * next job first. The consumer count alone does not show that: it drops when the consumer is
   * cancelled, just before the channel closes. Waits for it as well, for a consumer of another
   * kind.
   */
  public void purge() throws Exception {
    long deadline = System.nanoTime() + java.time.Duration.ofSeconds(60).toNanos();
    try (Channel channel = connection.createChannel()) {
      while (channel.queueDeclarePassive(queue.queue()).getConsumerCount() > 0) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("queue " + queue.queue() + " still has a consumer after 60 s");
        }
        Thread.sleep(100);
      }
      channel.queuePurge(queue.queue());
    }
  }

  /** Messages waiting and consumers attached, as the broker counts them now; for test messages. */
  public String depth() {
    try (Channel channel = connection.createChannel()) {
      var ok = channel.queueDeclarePassive(queue.queue());
      return ok.getMessageCount() + " ready, " + ok.getConsumerCount() + " consumer(s)";
    } catch (Exception e) {
      return "unknown (" + e + ")";
    }
  }

  public String name() {
    return queue.queue();
  }

  /** The test's home is this prefix plus {@code 0001}, as {@code DemoHomes} numbers homes. */
  public String locationPrefix() {
    return locationId;
  }

  @Override
  public void close() throws Exception {
    try (Channel channel = connection.createChannel()) {
      BrokerTopology.remove(channel, queue);
    } finally {
      connection.close();
    }
  }
}
