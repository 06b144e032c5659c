package org.saam.common.store;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Date;
import org.bson.BsonBoolean;
import org.bson.BsonDateTime;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.bson.BsonInt64;
import org.bson.BsonNull;
import org.bson.BsonString;
import org.bson.BsonValue;
import org.bson.Document;
import org.saam.common.broker.Topics;
import org.saam.common.codec.RejectionReason;
import org.saam.common.quarantine.QuarantineText;

/**
 * A payload or a single reading the pipeline refused, as kept in {@value #COLLECTION}: written by
 * the pipeline and by the dead-letter collector, read and replayed by operators.
 *
 * @param id deterministic key: the same message refused again yields the same id
 * @param reason the stable reason code, see {@link RejectionReason#code()}
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
 * @param replayedAtMillis when an operator replayed it, or {@code null}
 */
public record QuarantineEntry(
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
    long receivedAtMillis,
    Long replayedAtMillis) {

  public static final String COLLECTION = "quarantine";

  public static final String REASON = "reason";
  public static final String LOCATION_ID = "location_id";
  public static final String RECEIVED_AT = "received_at";
  public static final String REPLAYED_AT = "replayed_at";
  public static final String REPLAY_COUNT = "replay_count";

  /**
   * The entry of one reading refused after parsing (by the rate limit, or because the join failed
   * on it): the reading as a one-reading batch's element, so a replay sends it again.
   */
  public static QuarantineEntry ofReading(
      String locationId,
      String gatewayId,
      long seq,
      String sourceId,
      long tsMillis,
      double value,
      RejectionReason reason,
      String detail,
      long nowMillis) {
    String raw = QuarantineText.readingJson(sourceId, Instant.ofEpochMilli(tsMillis), value);
    String sha256 = QuarantineText.sha256(raw.getBytes(StandardCharsets.UTF_8));
    String routingKey = Topics.readingsRoutingKey(locationId);
    return new QuarantineEntry(
        QuarantineText.id(routingKey, sha256, reason.code(), 0),
        reason.code(),
        detail,
        locationId,
        gatewayId,
        seq,
        0,
        raw,
        false,
        raw.length(),
        sha256,
        nowMillis,
        null);
  }

  /**
   * The entry of a whole message the broker dead-lettered after {@code deliveries} deliveries
   * without an acknowledgement, kept whole up to the contract's size so a replay can send it again.
   */
  public static QuarantineEntry deadLetter(
      String routingKey, byte[] body, Object deliveries, long nowMillis) {
    String sha256 = QuarantineText.sha256(body);
    QuarantineText.Kept kept = QuarantineText.keep(body, RejectionReason.DELIVERY_LIMIT);
    return new QuarantineEntry(
        QuarantineText.id(routingKey, sha256, RejectionReason.DELIVERY_LIMIT.code(), -1),
        RejectionReason.DELIVERY_LIMIT.code(),
        "the broker dead-lettered this message after "
            + deliveries
            + " deliveries without an acknowledgement (routing key "
            + routingKey
            + ")",
        Topics.locationOfReadingsKey(routingKey).orElse(null),
        null,
        null,
        -1,
        kept.text(),
        kept.truncated(),
        body.length,
        sha256,
        nowMillis,
        null);
  }

  /** Whether a replay can send it again: it has a location and its whole text. */
  public boolean replayable() {
    return locationId != null && !rawTruncated;
  }

  /** The whole document as stored (a replay mark is added by an update, never written here). */
  public BsonDocument toDocument() {
    return new BsonDocument()
        .append("_id", new BsonString(id))
        .append(RECEIVED_AT, new BsonDateTime(receivedAtMillis))
        .append(REASON, new BsonString(reason))
        .append("detail", new BsonString(detail))
        .append(LOCATION_ID, text(locationId))
        .append("gateway_id", text(gatewayId))
        .append("seq", seq == null ? BsonNull.VALUE : new BsonInt64(seq))
        .append("index", new BsonInt32(index))
        .append("raw", new BsonString(raw))
        .append("raw_truncated", BsonBoolean.valueOf(rawTruncated))
        .append("payload_bytes", new BsonInt32(payloadBytes))
        .append("payload_sha256", new BsonString(payloadSha256));
  }

  /** A stored entry read back; fields an older entry lacks get neutral values. */
  public static QuarantineEntry read(Document document) {
    Date received = document.getDate(RECEIVED_AT);
    Date replayed = document.getDate(REPLAYED_AT);
    Number seq = document.get("seq", Number.class);
    Number index = document.get("index", Number.class);
    Number bytes = document.get("payload_bytes", Number.class);
    String raw = document.getString("raw");
    return new QuarantineEntry(
        document.getString("_id"),
        document.getString(REASON),
        document.getString("detail"),
        document.getString(LOCATION_ID),
        document.getString("gateway_id"),
        seq == null ? null : seq.longValue(),
        index == null ? -1 : index.intValue(),
        raw == null ? "" : raw,
        Boolean.TRUE.equals(document.getBoolean("raw_truncated")),
        bytes == null ? 0 : bytes.intValue(),
        document.getString("payload_sha256"),
        received == null ? 0 : received.getTime(),
        replayed == null ? null : replayed.getTime());
  }

  private static BsonValue text(String value) {
    return value == null ? BsonNull.VALUE : new BsonString(value);
  }
}
