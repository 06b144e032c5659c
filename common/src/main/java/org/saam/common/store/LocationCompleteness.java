package org.saam.common.store;

import org.bson.BsonDateTime;
import org.bson.BsonDocument;
import org.bson.BsonInt64;
import org.bson.BsonString;

/**
 * How complete a location's data is: which batches were never received. One document per location
 * in {@value #COLLECTION}, keyed by the location id.
 *
 * @param locationId the home
 * @param highestSeq the highest seq received
 * @param missingBatches how many seqs below it were never received
 * @param missingSample the first missing seqs, as ranges ("12-14,20"), at most a few dozen
 * @param updatedAtMillis when this was computed
 */
public record LocationCompleteness(
    String locationId,
    long highestSeq,
    long missingBatches,
    String missingSample,
    long updatedAtMillis) {

  public static final String COLLECTION = "completeness";

  /** The whole document. */
  public BsonDocument toDocument() {
    return new BsonDocument()
        .append("_id", new BsonString(locationId))
        .append("highest_seq", new BsonInt64(highestSeq))
        .append("missing_batches", new BsonInt64(missingBatches))
        .append("missing_sample", new BsonString(missingSample))
        .append("updated_at", new BsonDateTime(updatedAtMillis));
  }
}
