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

  /** Drops every message waiting in the queue (a test that feeds a second job afresh). */
  public void purge() throws Exception {
    try (Channel channel = connection.createChannel()) {
      channel.queuePurge(queue.queue());
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
