package org.saam.common.codec;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
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
 * <p>Batch-level faults (not JSON, oversize, missing header fields, bad identifiers, too many
 * readings) refuse the whole payload with a {@link PayloadException}. Reading-level faults (missing
 * field, bad timestamp, non-finite value) refuse only that reading; the others are kept. Checks
 * that need the source catalogue or the MQTT topic belong to the caller.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class ReadingBatchCodec {
  /** Largest payload a gateway may send, in bytes. */
  public static final int MAX_PAYLOAD_BYTES = 256 * 1024;

  /** Most readings one batch may carry. */
  public static final int MAX_READINGS = 1000;

  /** Pattern of {@code location_id} and {@code gateway_id}: no dots, they become routing keys. */
  public static final Pattern IDENTIFIER = Pattern.compile("^[a-z0-9][a-z0-9-]{0,62}$");

  private static final ObjectMapper JSON =
      JsonMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

  /**
   * Decodes one payload.
   *
   * @throws PayloadException if the batch as a whole breaks the contract
   */
  public DecodedBatch decode(byte[] payload) throws PayloadException {
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
          RejectionReason.MALFORMED_JSON, "payload is not valid JSON: " + firstLine(e));
    }
    if (root == null || !root.isObject()) {
      throw new PayloadException(
          RejectionReason.MALFORMED_JSON, "payload must be a JSON object with a readings array");
    }
    String gatewayId = identifier(root, "gateway_id");
    String locationId = identifier(root, "location_id");
    Instant sentAt = timestamp(root, "sent_at", "field");
    JsonNode seqNode = root.get("seq");
    if (seqNode == null || !seqNode.canConvertToLong() || !seqNode.isIntegralNumber()) {
      throw new PayloadException(
          RejectionReason.MISSING_FIELD, "field 'seq' must be a whole number");
    }
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
        readings.add(reading(node));
      } catch (PayloadException e) {
        rejected.add(new RejectedReading(i, e.reason(), e.getMessage(), node.toString()));
      }
    }
    return new DecodedBatch(
        new ReadingBatch(gatewayId, locationId, sentAt, seqNode.longValue(), readings), rejected);
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

  private static Reading reading(JsonNode node) throws PayloadException {
    if (node == null || !node.isObject()) {
      throw new PayloadException(RejectionReason.MISSING_FIELD, "reading must be a JSON object");
    }
    JsonNode source = node.get("source_id");
    if (source == null || !source.isTextual() || source.asText().isEmpty()) {
      throw new PayloadException(
          RejectionReason.MISSING_FIELD, "reading field 'source_id' must be a non-empty string");
    }
    Instant ts = timestamp(node, "ts", "reading field");
    JsonNode value = node.get("value");
    if (value == null || !value.isNumber()) {
      throw new PayloadException(
          RejectionReason.MISSING_FIELD, "reading field 'value' must be a number");
    }
    double number = value.doubleValue();
    if (!Double.isFinite(number)) {
      throw new PayloadException(
          RejectionReason.NON_FINITE_VALUE,
          "reading value " + value.asText() + " of '" + source.asText() + "' is not finite");
    }
    return new Reading(source.asText(), ts, number);
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
          "field '" + field + "' is '" + value + "'; it must match " + IDENTIFIER.pattern());
    }
    return value;
  }

  private static Instant timestamp(JsonNode node, String field, String what)
      throws PayloadException {
    JsonNode value = node.get(field);
    if (value == null || !value.isTextual()) {
      throw new PayloadException(
          RejectionReason.MISSING_FIELD, what + " '" + field + "' must be an ISO-8601 string");
    }
    try {
      return OffsetDateTime.parse(value.asText(), DateTimeFormatter.ISO_OFFSET_DATE_TIME)
          .toInstant();
    } catch (DateTimeParseException e) {
      throw new PayloadException(
          RejectionReason.BAD_TIMESTAMP,
          what
              + " '"
              + field
              + "' is '"
              + value.asText()
              + "'; it must be ISO-8601 with a zone, like 2026-11-22T06:59:00Z");
    }
  }

  private static String firstLine(Exception e) {
    String message = String.valueOf(e.getMessage());
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }
}
