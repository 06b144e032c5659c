package org.saam.ingestion.broker;

import java.util.Objects;
import org.saam.common.broker.Topics;

/**
 * Names and limits of one readings queue and its dead-letter queue.
 *
 * @param queue the quorum queue the pipeline reads, {@code saam.readings} in production
 * @param bindingKey the {@code amq.topic} routing-key pattern bound to it, {@code saam.*.readings}
 * @param maxLength how many ready messages the queue holds before it refuses new ones
 */
public record ReadingsQueue(String queue, String bindingKey, long maxLength) {
  /**
   * How many times the broker hands one message to a consumer without an acknowledgement before it
   * dead-letters it: the second line of defence should a message ever make the pipeline fail (the
   * first is that the pipeline quarantines any message it cannot handle).
   */
  public static final int DELIVERY_LIMIT = 5;

  /** The production queue of ARCHITECTURE.md. */
  public static final ReadingsQueue DEFAULT =
      new ReadingsQueue(Topics.READINGS_QUEUE, Topics.READINGS_BINDING, 1_000_000);

  public ReadingsQueue {
    Objects.requireNonNull(queue, "queue");
    Objects.requireNonNull(bindingKey, "bindingKey");
    if (maxLength < 1) {
      throw new IllegalArgumentException("maxLength must be at least 1, was " + maxLength);
    }
  }

  /**
   * Where messages go that were delivered {@link #DELIVERY_LIMIT} times without being acknowledged;
   * {@code ./saam quarantine list} moves them into quarantine, {@code replay} sends them again.
   */
  public String deadLetterQueue() {
    return queue + ".dead";
  }

  /** The fanout exchange in front of {@link #deadLetterQueue()}. */
  public String deadLetterExchange() {
    return queue + ".dlx";
  }
}
