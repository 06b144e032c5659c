package org.saam.common.quarantine;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.saam.common.codec.ReadingBatchCodec;
import org.saam.common.codec.RejectionReason;

/**
 * The one definition of how a quarantine entry keeps a refused message (used by the pipeline and by
 * the dead-letter collector): how much of the text, its hash, and the entry's deterministic id.
 *
 * <p>How much of a refused message a quarantine entry keeps, so that no entry can approach
 * MongoDB's 16 MiB document limit whatever a gateway sends.
 *
 * <p>An entry keeps the first {@value #MAX_RAW_BYTES} bytes of the text, plus the full size and
 * SHA-256 of the message. The exception: a message refused for a reason a replay can cure (see
 * {@link RejectionReason#replayable()}) and within the contract's size is kept whole, so that a
 * replay loses nothing valid.
 */
public final class QuarantineText {
  /** The most bytes of raw text an entry keeps when the message is not kept whole: 64 KiB. */
  public static final int MAX_RAW_BYTES = 64 * 1024;

  private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
      new com.fasterxml.jackson.databind.ObjectMapper();

  private QuarantineText() {}

  /** A piece of raw text to store and whether it was cut. */
  public record Kept(String text, boolean truncated) {}

  /** What an entry for {@code reason} keeps of {@code payload}. */
  public static Kept keep(byte[] payload, RejectionReason reason) {
    int limit =
        reason.replayable() && payload.length <= ReadingBatchCodec.MAX_PAYLOAD_BYTES
            ? payload.length
            : MAX_RAW_BYTES;
    if (payload.length <= limit) {
      return new Kept(new String(payload, StandardCharsets.UTF_8), false);
    }
    return new Kept(prefix(payload, limit), true);
  }

  /** A reading's own text: small already, but cut the same way if it is not. */
  public static Kept keep(String readingText) {
    byte[] bytes = readingText.getBytes(StandardCharsets.UTF_8);
    return bytes.length <= MAX_RAW_BYTES
        ? new Kept(readingText, false)
        : new Kept(prefix(bytes, MAX_RAW_BYTES), true);
  }

  /** One reading as the JSON a gateway sends it, for an entry that holds a single reading. */
  public static String readingJson(String sourceId, java.time.Instant ts, double value) {
    com.fasterxml.jackson.databind.node.ObjectNode node = JSON.createObjectNode();
    node.put("source_id", sourceId);
    node.put("ts", ts.toString());
    node.put("value", value);
    return node.toString();
  }

  /** Hex SHA-256 of the message bytes. */
  public static String sha256(byte[] payload) {
    return HexFormat.of().formatHex(digest().digest(payload));
  }

  /**
   * The deterministic quarantine id of one refusal: the same message (by its hash and routing key)
   * refused for the same reason at the same reading index always gets the same id.
   */
  public static String id(String routingKey, String payloadSha256, String reason, int index) {
    MessageDigest digest = digest();
    digest.update(String.valueOf(routingKey).getBytes(StandardCharsets.UTF_8));
    digest.update((byte) 0);
    digest.update(payloadSha256.getBytes(StandardCharsets.UTF_8));
    digest.update((byte) 0);
    digest.update((reason + "#" + index).getBytes(StandardCharsets.UTF_8));
    return HexFormat.of().formatHex(digest.digest(), 0, 16);
  }

  private static String prefix(byte[] payload, int limit) {
    // Decode only whole characters of the first `limit` bytes; a cut UTF-8 sequence is dropped.
    CharsetDecoder decoder =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPLACE)
            .onUnmappableCharacter(CodingErrorAction.REPLACE);
    CharBuffer chars = CharBuffer.allocate(limit);
    decoder.decode(ByteBuffer.wrap(payload, 0, limit), chars, false);
    chars.flip();
    return chars.toString();
  }

  private static MessageDigest digest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }
}
