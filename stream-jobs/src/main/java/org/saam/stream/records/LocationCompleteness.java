package org.saam.stream.records;

/**
 * How complete a location's data is: which batches were never received.
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
    long updatedAtMillis) {}
