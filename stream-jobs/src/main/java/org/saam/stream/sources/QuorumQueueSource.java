package org.saam.stream.sources;

import java.io.IOException;
import org.apache.flink.streaming.connectors.rabbitmq.RMQDeserializationSchema;
import org.apache.flink.streaming.connectors.rabbitmq.RMQSource;
import org.apache.flink.streaming.connectors.rabbitmq.common.RMQConnectionConfig;

/**
 * {@link RMQSource} for a quorum queue that the broker topology declared.
 *
 * <p>Two changes to the stock source, both needed against quorum queues (see DEV-STACK.md):
 *
 * <ul>
 *   <li>The queue is declared passively. The stock source re-declares it as a classic queue, which
 *       the broker refuses for an existing quorum queue.
 *   <li>The prefetch is set per consumer. Quorum queues refuse global QoS, which the stock source
 *       uses when the connection config has a prefetch count. Without any prefetch the broker would
 *       push the whole queue into the source until the next checkpoint acknowledges it.
 * </ul>
 *
 * <p>The RabbitMQ source is a legacy {@code SourceFunction}: the connector has no FLIP-27 source,
 * which is why the platform stays on Flink 1.20. Messages are acknowledged when a checkpoint
 * completes; without checkpointing the stock source acknowledges on receipt.
 */
@SuppressWarnings("deprecation") // SourceFunction: no replacement exists for RabbitMQ.
public final class QuorumQueueSource<T> extends RMQSource<T> {
  private static final long serialVersionUID = 1L;

  private final int prefetch;

  /**
   * @param connection broker connection, without a prefetch count
   * @param queue an existing quorum queue
   * @param prefetch how many unacknowledged messages the broker may hand to this consumer
   * @param deserializer turns deliveries into records
   */
  public QuorumQueueSource(
      RMQConnectionConfig connection,
      String queue,
      int prefetch,
      RMQDeserializationSchema<T> deserializer) {
    super(connection, queue, false, deserializer);
    if (connection.getPrefetchCount().isPresent()) {
      throw new IllegalArgumentException(
          "leave the prefetch out of the connection config: quorum queues refuse global QoS;"
              + " pass it as 'prefetch' instead");
    }
    if (prefetch < 1) {
      throw new IllegalArgumentException("prefetch must be at least 1, was " + prefetch);
    }
    this.prefetch = prefetch;
  }

  @Override
  protected void setupQueue() throws IOException {
    channel.queueDeclarePassive(queueName);
    channel.basicQos(prefetch, false);
  }
}
