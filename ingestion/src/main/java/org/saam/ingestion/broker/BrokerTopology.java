package org.saam.ingestion.broker;

import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import java.io.IOException;
import java.util.Map;

/**
 * Declares the readings topology on RabbitMQ. Every call is idempotent: declaring what exists with
 * the same arguments changes nothing, so it runs on every start.
 *
 * <ul>
 *   <li>a durable quorum queue bound to {@code amq.topic}, where the MQTT plugin delivers gateway
 *       messages;
 *   <li>a length limit with {@code reject-publish}: when the pipeline falls far behind, gateways
 *       get a negative confirm and keep their data instead of the broker dropping it;
 *   <li>a dead-letter exchange and queue for messages the broker gives up on.
 * </ul>
 */
public final class BrokerTopology {
  /** The exchange the RabbitMQ MQTT plugin publishes to. */
  public static final String MQTT_EXCHANGE = "amq.topic";

  private BrokerTopology() {}

  /** Declares the queue, its dead-letter queue and the binding. */
  public static void install(Channel channel, ReadingsQueue queue) throws IOException {
    channel.exchangeDeclare(queue.deadLetterExchange(), BuiltinExchangeType.FANOUT, true);
    channel.queueDeclare(
        queue.deadLetterQueue(), true, false, false, Map.of("x-queue-type", "quorum"));
    channel.queueBind(queue.deadLetterQueue(), queue.deadLetterExchange(), "");
    channel.queueDeclare(
        queue.queue(),
        true,
        false,
        false,
        Map.of(
            "x-queue-type",
            "quorum",
            "x-max-length",
            queue.maxLength(),
            "x-overflow",
            "reject-publish",
            "x-dead-letter-exchange",
            queue.deadLetterExchange()));
    channel.queueBind(queue.queue(), MQTT_EXCHANGE, queue.bindingKey());
  }

  /** Removes a queue and its dead-letter parts; used by tests that declared their own. */
  public static void remove(Channel channel, ReadingsQueue queue) throws IOException {
    channel.queueDelete(queue.queue());
    channel.queueDelete(queue.deadLetterQueue());
    channel.exchangeDelete(queue.deadLetterExchange());
  }
}
