package org.saam.ingestion.broker;

import java.util.Objects;

/**
 * Names and limits of one readings queue and its dead-letter queue.
 *
 * @param queue the quorum queue the pipeline reads, {@code saam.readings} in production
 * @param bindingKey the {@code amq.topic} routing-key pattern bound to it, {@code saam.*.readings}
 * @param maxLength how many ready messages the queue holds before it refuses new ones
 */
public record ReadingsQueue(String queue, String bindingKey, long maxLength) {
  /** The production queue of ARCHITECTURE.md. */
  public static final ReadingsQueue DEFAULT =
      new ReadingsQueue("saam.readings", "saam.*.readings", 1_000_000);

  public ReadingsQueue {
    Objects.requireNonNull(queue, "queue");
    Objects.requireNonNull(bindingKey, "bindingKey");
    if (maxLength < 1) {
      throw new IllegalArgumentException("maxLength must be at least 1, was " + maxLength);
    }
  }

  /** Where messages go that the pipeline rejects at the broker level. */
  public String deadLetterQueue() {
    return queue + ".dead";
  }

  /** The fanout exchange in front of {@link #deadLetterQueue()}. */
  public String deadLetterExchange() {
    return queue + ".dlx";
  }
}
