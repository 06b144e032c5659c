package org.saam.ingestion.broker;

import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ShutdownSignalException;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.TimeoutException;

/**
 * Declares the readings topology on RabbitMQ. Every call is idempotent: declaring what exists with
 * the same arguments changes nothing, so it runs on every start.
 *
 * <ul>
 *   <li>a durable quorum queue bound to {@code amq.topic}, where the MQTT plugin delivers gateway
 *       messages;
 *   <li>a length limit with {@code reject-publish}: when the pipeline falls far behind, gateways
 *       get a negative confirm and keep their data instead of the broker dropping it;
 *   <li>a delivery limit ({@value ReadingsQueue#DELIVERY_LIMIT}): a message handed out that many
 *       times without an acknowledgement is dead-lettered, at least once, to a fanout exchange and
 *       its queue, with its original routing key, instead of restarting the pipeline forever.
 * </ul>
 *
 * <p>An existing queue declared with other arguments (by an older version, without a delivery
 * limit) is replaced when it is empty; when it holds messages the install stops with what to do.
 */
public final class BrokerTopology {
  /** The exchange the RabbitMQ MQTT plugin publishes to. */
  public static final String MQTT_EXCHANGE = "amq.topic";

  private BrokerTopology() {}

  /** The arguments of a readings queue. */
  static Map<String, Object> queueArguments(ReadingsQueue queue) {
    return Map.of(
        "x-queue-type",
        "quorum",
        "x-max-length",
        queue.maxLength(),
        "x-overflow",
        "reject-publish",
        "x-delivery-limit",
        ReadingsQueue.DELIVERY_LIMIT,
        "x-dead-letter-exchange",
        queue.deadLetterExchange(),
        "x-dead-letter-strategy",
        "at-least-once");
  }

  /** Declares the queue, its dead-letter queue and the binding. */
  public static void install(Connection connection, ReadingsQueue queue) throws IOException {
    try (Channel channel = connection.createChannel()) {
      channel.exchangeDeclare(queue.deadLetterExchange(), BuiltinExchangeType.FANOUT, true);
      channel.queueDeclare(
          queue.deadLetterQueue(), true, false, false, Map.of("x-queue-type", "quorum"));
      channel.queueBind(queue.deadLetterQueue(), queue.deadLetterExchange(), "");
    } catch (TimeoutException e) {
      throw new IOException("closing a channel timed out", e);
    }
    try (Channel channel = connection.createChannel()) {
      channel.queueDeclare(queue.queue(), true, false, false, queueArguments(queue));
    } catch (IOException e) {
      if (!isPreconditionFailed(e)) {
        throw e;
      }
      replaceEmptyQueue(connection, queue);
    } catch (TimeoutException e) {
      throw new IOException("closing a channel timed out", e);
    }
    try (Channel channel = connection.createChannel()) {
      channel.queueBind(queue.queue(), MQTT_EXCHANGE, queue.bindingKey());
    } catch (TimeoutException e) {
      throw new IOException("closing a channel timed out", e);
    }
  }

  private static void replaceEmptyQueue(Connection connection, ReadingsQueue queue)
      throws IOException {
    try (Channel channel = connection.createChannel()) {
      // No new message may arrive between the count and the delete: unbind first. (Quorum queues
      // do not support delete-if-empty.)
      channel.queueUnbind(queue.queue(), MQTT_EXCHANGE, queue.bindingKey());
      long waiting = channel.queueDeclarePassive(queue.queue()).getMessageCount();
      if (waiting > 0) {
        channel.queueBind(queue.queue(), MQTT_EXCHANGE, queue.bindingKey());
        throw new IllegalStateException(
            "queue "
                + queue.queue()
                + " exists with other arguments (an older version, without the delivery limit)"
                + " and holds "
                + waiting
                + " messages: let the pipeline drain it, then run this again (an empty queue is"
                + " replaced by itself)");
      }
      channel.queueDelete(queue.queue());
      channel.queueDeclare(queue.queue(), true, false, false, queueArguments(queue));
    } catch (TimeoutException e) {
      throw new IOException("closing a channel timed out", e);
    }
  }

  private static boolean isPreconditionFailed(IOException e) {
    return e.getCause() instanceof ShutdownSignalException signal
        && String.valueOf(signal.getMessage()).contains("PRECONDITION_FAILED");
  }

  /** Removes a queue and its dead-letter parts; used by tests that declared their own. */
  public static void remove(Channel channel, ReadingsQueue queue) throws IOException {
    channel.queueDelete(queue.queue());
    channel.queueDelete(queue.deadLetterQueue());
    channel.exchangeDelete(queue.deadLetterExchange());
  }
}
