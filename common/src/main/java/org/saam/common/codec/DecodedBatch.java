package org.saam.common.codec;

import java.util.List;
import org.saam.common.records.ReadingBatch;

/**
 * A decoded gateway payload: the batch with its valid readings, and the readings that were refused.
 * Valid readings are never lost because a neighbour in the same batch was bad.
 */
public record DecodedBatch(ReadingBatch batch, List<RejectedReading> rejected) {
  public DecodedBatch {
    rejected = List.copyOf(rejected);
  }
}
