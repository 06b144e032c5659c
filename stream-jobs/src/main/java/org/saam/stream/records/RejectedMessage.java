package org.saam.stream.records;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.saam.common.codec.RejectionReason;
import org.saam.common.quarantine.QuarantineText;

/**
 * A payload or a single reading the pipeline refused, on its way to quarantine.
 *
 * @param id deterministic key: the same message refused again yields the same id
 * @param reason the stable reason code, see {@link org.saam.common.codec.RejectionReason#code()}
 * @param detail a sentence naming the offending field and value (gateway text in it is clipped)
 * @param locationId the location from the routing key, or {@code null} if it had none
 * @param gatewayId the batch's gateway, when the batch could be read
 * @param seq the batch's seq, when the batch could be read
 * @param index the reading's position in the batch, or -1 when the whole batch was refused
 * @param raw the refused text: the whole payload, or the one reading; at most {@link
 *     QuarantineText#MAX_RAW_BYTES} bytes unless the reason is replayable and the payload within
 *     the contract's size
 * @param rawTruncated whether {@code raw} is only the beginning of the text
 * @param payloadBytes the size of the whole message as received
 * @param payloadSha256 the SHA-256 of the whole message as received, hex
 * @param receivedAtMillis when the pipeline received the message
 */
public record RejectedMessage(
    String id,
    String reason,
    String detail,
    String locationId,
    String gatewayId,
    Long seq,
    int index,
    String raw,
    boolean rawTruncated,
    int payloadBytes,
    String payloadSha256,
    long receivedAtMillis) {

  /**
   * The quarantine entry of one reading refused after parsing (by the rate limit, or because the
   * join failed on it): the reading as a one-reading batch's element, so a replay sends it again.
   */
  public static RejectedMessage ofReading(
      MeasuredReading reading, RejectionReason reason, String detail, long nowMillis) {
    String raw =
        QuarantineText.readingJson(
            reading.sourceId(), Instant.ofEpochMilli(reading.tsMillis()), reading.value());
    String sha256 = QuarantineText.sha256(raw.getBytes(StandardCharsets.UTF_8));
    String routingKey = org.saam.common.broker.Topics.readingsRoutingKey(reading.locationId());
    return new RejectedMessage(
        QuarantineText.id(routingKey, sha256, reason.code(), 0),
        reason.code(),
        detail,
        reading.locationId(),
        reading.gatewayId(),
        reading.seq(),
        0,
        raw,
        false,
        raw.length(),
        sha256,
        nowMillis);
  }
}
