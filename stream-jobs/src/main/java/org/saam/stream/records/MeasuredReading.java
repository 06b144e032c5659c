package org.saam.stream.records;

import org.saam.common.codec.RejectionReason;
import org.saam.common.store.QuarantineEntry;

/**
 * A valid reading with the context the pipeline needs downstream.
 *
 * @param locationId the home it comes from
 * @param gatewayId the gateway that sent it
 * @param seq the {@code seq} of the batch it came in
 * @param sourceId its catalogue source
 * @param device the source's device view, for example {@code microhub_bed}
 * @param tsMillis event time, epoch milliseconds
 * @param value the value, within the source's range
 * @param userId the person assigned to the location at {@code tsMillis}, or {@code null} when
 *     nobody was (or the join has not run)
 * @param timeZone that person's time zone, or {@code null}
 */
public record MeasuredReading(
    String locationId,
    String gatewayId,
    long seq,
    String sourceId,
    String device,
    long tsMillis,
    double value,
    String userId,
    String timeZone) {

  /** The same reading attributed to a person (or to nobody: both {@code null}). */
  public MeasuredReading withPerson(String person, String zone) {
    return new MeasuredReading(
        locationId, gatewayId, seq, sourceId, device, tsMillis, value, person, zone);
  }

  /**
   * The quarantine entry of this reading when it is refused after parsing (by the rate limit, or
   * because the join failed on it), so that a replay sends it again.
   */
  public QuarantineEntry quarantined(RejectionReason reason, String detail, long nowMillis) {
    return QuarantineEntry.ofReading(
        locationId, gatewayId, seq, sourceId, tsMillis, value, reason, detail, nowMillis);
  }
}
