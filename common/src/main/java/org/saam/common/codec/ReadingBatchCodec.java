package org.saam.common.codec;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.saam.common.records.Reading;
import org.saam.common.records.ReadingBatch;

/**
 * The one strict reader and writer of the gateway payload (ARCHITECTURE.md, contract 1).
 *
 * <p>Batch-level faults (not JSON, oversize, missing header fields, bad identifiers, bad seq, too
 * many readings, a header timestamp outside the window) refuse the whole payload with a {@link
 * PayloadException}. Reading-level faults (missing field, bad or out-of-window timestamp,
 * non-finite value) refuse only that reading; the others are kept. Checks that need the source
 * catalogue or the MQTT topic belong to the caller.
 *
 * <p>Bounds, the same as the JSON Schema's: timestamps are ISO-8601 with a four-digit year and a
 * zone ({@code Z} or {@code +hh:mm}), not before the window's earliest instant (2000-01-01 by
 * default) and, when the receipt time is known, not beyond the window's future skew; {@code seq} is
 * a whole number from 0 to 2<sup>63</sup>-1; values are finite doubles. Every message in refusal
 * details is clipped, so a hostile field cannot bloat a quarantine entry.
 *
 * <p>{@link #decode} never throws anything but {@link PayloadException} for any input bytes (the
 * property-based tests check this). Instances are immutable and thread-safe.
 */
public final class ReadingBatchCodec implements java.io.Serializable {
  private static final long serialVersionUID = 1L;

  /** Largest payload a gateway may send, in bytes. */
  public static final int MAX_PAYLOAD_BYTES = 256 * 1024;

  /** Most readings one batch may carry. */
  public static final int MAX_READINGS = 1000;

  /** Pattern of {@code location_id} and {@code gateway_id}: no dots, they become routing keys. */
  public static final Pattern IDENTIFIER = Pattern.compile("^[a-z0-9][a-z0-9-]{0,62}$");

  /**
   * The accepted timestamp text, the same pattern as the JSON Schema's: a year from 2000 to 9999,
   * month, day, {@code T}, hours and minutes, optional seconds with up to nine fraction digits, and
   * {@code Z} or an offset of at most 18 hours. Upper-case {@code T} and {@code Z} only. (Days that
   * a month does not have, like 02-30, pass the pattern and are refused by the calendar.)
   */
  public static final Pattern TIMESTAMP =
      Pattern.compile(
          "^(2[0-9]{3}|[3-9][0-9]{3})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
              + "T([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\\.[0-9]{1,9})?)?"
              + "(Z|[+-](0[0-9]|1[0-7]):[0-5][0-9]|[+-]18:00)$");

  /** Longest piece of gateway text quoted in a refusal's detail. */
  static final int DETAIL_QUOTE_CHARS = 120;

  private static final ObjectMapper JSON =
      JsonMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

  private final TimestampWindow window;

  /** A codec with the documented default window ({@link TimestampWindow#defaults()}). */
  public ReadingBatchCodec() {
    this(TimestampWindow.defaults());
  }

  /** A codec that accepts timestamps within {@code window}. */
  public ReadingBatchCodec(TimestampWindow window) {
    this.window = java.util.Objects.requireNonNull(window, "window");
  }

  /** The window this codec checks timestamps against. */
  public TimestampWindow window() {
    return window;
  }

  /**
   * Decodes one payload whose receipt time is unknown (tools, tests): the future bound is not
   * checked, every other bound is.
   *
   * @throws PayloadException if the batch as a whole breaks the contract
   */
  public DecodedBatch decode(byte[] payload) throws PayloadException {
    return decode(payload, null);
  }

  /**
   * Decodes one payload received at {@code receivedAt}; timestamps more than the window's future
   * skew after it are refused as {@link RejectionReason#FUTURE_TIMESTAMP}.
   *
   * @param receivedAt when the platform took the message, or {@code null} to skip the future bound
   * @throws PayloadException if the batch as a whole breaks the contract
   */
  public DecodedBatch decode(byte[] payload, Instant receivedAt) throws PayloadException {
    if (payload == null) {
      throw new PayloadException(RejectionReason.MALFORMED_JSON, "payload is empty");
    }
    if (payload.length > MAX_PAYLOAD_BYTES) {
      throw new PayloadException(
          RejectionReason.OVERSIZE_BATCH,
          "payload is " + payload.length + " bytes; the limit is " + MAX_PAYLOAD_BYTES);
    }
    JsonNode root;
    try {
      root = JSON.readTree(payload);
    } catch (java.io.IOException e) {
      throw new PayloadException(
          RejectionReason.MALFORMED_JSON, "payload is not valid JSON: " + clip(firstLine(e)));
    }
    if (root == null || !root.isObject()) {
      throw new PayloadException(
          RejectionReason.MALFORMED_JSON, "payload must be a JSON object with a readings array");
    }
    Instant latest = latest(receivedAt);
    String gatewayId = identifier(root, "gateway_id");
    String locationId = identifier(root, "location_id");
    Instant sentAt = timestamp(root, "sent_at", "field", latest, receivedAt);
    long seq = seq(root);
    JsonNode readingsNode = root.get("readings");
    if (readingsNode == null || !readingsNode.isArray()) {
      throw new PayloadException(
          RejectionReason.MISSING_FIELD, "field 'readings' must be an array");
    }
    if (readingsNode.size() > MAX_READINGS) {
      throw new PayloadException(
          RejectionReason.TOO_MANY_READINGS,
          "batch has " + readingsNode.size() + " readings; the limit is " + MAX_READINGS);
    }
    List<Reading> readings = new ArrayList<>(readingsNode.size());
    List<RejectedReading> rejected = new ArrayList<>();
    for (int i = 0; i < readingsNode.size(); i++) {
      JsonNode node = readingsNode.get(i);
      try {
        readings.add(reading(node, latest, receivedAt));
      } catch (PayloadException e) {
        rejected.add(new RejectedReading(i, e.reason(), e.getMessage(), node.toString()));
      }
    }
    return new DecodedBatch(
        new ReadingBatch(gatewayId, locationId, sentAt, seq, readings), rejected);
  }

  /** Encodes a batch as the gateway payload, fields in contract order. */
  public byte[] encode(ReadingBatch batch) {
    ObjectNode root = JSON.createObjectNode();
    root.put("gateway_id", batch.gatewayId());
    root.put("location_id", batch.locationId());
    root.put("sent_at", DateTimeFormatter.ISO_INSTANT.format(batch.sentAt()));
    root.put("seq", batch.seq());
    ArrayNode readings = root.putArray("readings");
    for (Reading reading : batch.readings()) {
      ObjectNode node = readings.addObject();
      node.put("source_id", reading.sourceId());
      node.put("ts", DateTimeFormatter.ISO_INSTANT.format(reading.ts()));
      node.put("value", reading.value());
    }
    try {
      return JSON.writeValueAsBytes(root);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a JSON tree built in memory could not be written", e);
    }
  }

  /** Convenience for tests and tools: the payload as a UTF-8 string. */
  public String encodeToString(ReadingBatch batch) {
    return new String(encode(batch), StandardCharsets.UTF_8);
  }

  /**
   * {@code text} cut to at most {@value #DETAIL_QUOTE_CHARS} characters with the cut marked, for
   * quoting gateway input in a refusal.
   */
  public static String clip(String text) {
    if (text == null || text.length() <= DETAIL_QUOTE_CHARS) {
      return text;
    }
    return text.substring(0, DETAIL_QUOTE_CHARS) + "...(" + text.length() + " chars)";
  }

  private Instant latest(Instant receivedAt) {
    if (receivedAt == null) {
      return TimestampWindow.LATEST_EXPRESSIBLE;
    }
    Instant latest = receivedAt.plus(window.maxFutureSkew());
    return latest.isAfter(TimestampWindow.LATEST_EXPRESSIBLE)
        ? TimestampWindow.LATEST_EXPRESSIBLE
        : latest;
  }

  private Reading reading(JsonNode node, Instant latest, Instant receivedAt)
      throws PayloadException {
    if (node == null || !node.isObject()) {
      throw new PayloadException(RejectionReason.MISSING_FIELD, "reading must be a JSON object");
    }
    JsonNode source = node.get("source_id");
    if (source == null || !source.isTextual() || source.asText().isEmpty()) {
      throw new PayloadException(
          RejectionReason.MISSING_FIELD, "reading field 'source_id' must be a non-empty string");
    }
    Instant ts = timestamp(node, "ts", "reading field", latest, receivedAt);
    JsonNode value = node.get("value");
    if (value == null || !value.isNumber()) {
      throw new PayloadException(
          RejectionReason.MISSING_FIELD, "reading field 'value' must be a number");
    }
    double number = value.doubleValue();
    if (!Double.isFinite(number)) {
      throw new PayloadException(
          RejectionReason.NON_FINITE_VALUE,
          "reading value "
              + clip(value.asText())
              + " of '"
              + clip(source.asText())
              + "' is not a finite double");
    }
    return new Reading(source.asText(), ts, number);
  }

  private static long seq(JsonNode root) throws PayloadException {
    JsonNode node = root.get("seq");
    if (node == null || !node.isIntegralNumber()) {
      throw new PayloadException(
          RejectionReason.MISSING_FIELD, "field 'seq' must be a whole number");
    }
    if (!node.canConvertToLong() || node.longValue() < 0) {
      throw new PayloadException(
          RejectionReason.BAD_SEQ,
          "field 'seq' is "
              + clip(node.asText())
              + "; it must lie between 0 and "
              + Long.MAX_VALUE);
    }
    return node.longValue();
  }

  private static String identifier(JsonNode root, String field) throws PayloadException {
    JsonNode node = root.get(field);
    if (node == null || !node.isTextual()) {
      throw new PayloadException(
          RejectionReason.MISSING_FIELD, "field '" + field + "' must be a string");
    }
    String value = node.asText();
    if (!IDENTIFIER.matcher(value).matches()) {
      throw new PayloadException(
          RejectionReason.BAD_IDENTIFIER,
          "field '" + field + "' is '" + clip(value) + "'; it must match " + IDENTIFIER.pattern());
    }
    return value;
  }

  private Instant timestamp(
      JsonNode node, String field, String what, Instant latest, Instant receivedAt)
      throws PayloadException {
    JsonNode value = node.get(field);
    if (value == null || !value.isTextual()) {
      throw new PayloadException(
          RejectionReason.MISSING_FIELD, what + " '" + field + "' must be an ISO-8601 string");
    }
    String text = value.asText();
    Instant instant;
    try {
      if (!TIMESTAMP.matcher(text).matches()) {
        throw new DateTimeParseException("not the contract's shape", text, 0);
      }
      instant = OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
    } catch (DateTimeException e) {
      throw new PayloadException(
          RejectionReason.BAD_TIMESTAMP,
          what
              + " '"
              + field
              + "' is '"
              + clip(text)
              + "'; it must be ISO-8601 with a year from 2000 to 9999 and a zone, like"
              + " 2026-11-22T06:59:00Z");
    }
    if (instant.isBefore(window.earliest())) {
      throw new PayloadException(
          RejectionReason.PAST_TIMESTAMP,
          what + " '" + field + "' is " + instant + ", before " + window.earliest());
    }
    if (instant.isAfter(latest)) {
      throw new PayloadException(
          RejectionReason.FUTURE_TIMESTAMP,
          what
              + " '"
              + field
              + "' is "
              + instant
              + (receivedAt == null
                  ? ", after " + TimestampWindow.LATEST_EXPRESSIBLE
                  : ", more than "
                      + window.maxFutureSkew().toSeconds()
                      + " s after the message was received ("
                      + receivedAt
                      + ")"));
    }
    return instant;
  }

  private static String firstLine(Exception e) {
    String message = String.valueOf(e.getMessage());
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }
}
