package org.saam.stream.functions;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.saam.common.catalogue.SourceCatalogue;
import org.saam.common.catalogue.SourceDefinition;
import org.saam.common.catalogue.SourceKind;
import org.saam.common.codec.DecodedBatch;
import org.saam.common.codec.PayloadException;
import org.saam.common.codec.ReadingBatchCodec;
import org.saam.common.codec.RejectedReading;
import org.saam.common.codec.RejectionReason;
import org.saam.common.records.Reading;
import org.saam.common.records.ReadingBatch;
import org.saam.stream.records.BatchReceived;
import org.saam.stream.records.MeasuredReading;
import org.saam.stream.records.RawMessage;
import org.saam.stream.records.RejectedMessage;

/**
 * Turns broker messages into valid readings. Checks the gateway contract, that the payload's
 * location is the topic's, that every source is a measurement of the catalogue and that its value
 * is in range. What fails goes to {@link #REJECTED} with its reason: a bad batch as a whole, a bad
 * reading alone while its valid neighbours go on.
 *
 * <p>Metrics (operator scope): {@code batchesAccepted}, {@code readingsAccepted}, and one counter
 * per reason, {@code rejected_<reason>}.
 */
public final class ReadingBatchParser extends ProcessFunction<RawMessage, MeasuredReading> {
  private static final long serialVersionUID = 1L;

  /** Side output of everything refused, bound for quarantine. */
  public static final OutputTag<RejectedMessage> REJECTED =
      new OutputTag<>(
          "rejected",
          org.apache.flink.api.common.typeinfo.TypeInformation.of(RejectedMessage.class)) {};

  /** Side output: one record per accepted batch, for completeness (seq gap) tracking. */
  public static final OutputTag<BatchReceived> BATCHES =
      new OutputTag<>(
          "batches",
          org.apache.flink.api.common.typeinfo.TypeInformation.of(BatchReceived.class)) {};

  private static final Pattern READINGS_ROUTING_KEY =
      Pattern.compile("^saam\\.([a-z0-9][a-z0-9-]{0,62})\\.readings$");

  private final SourceCatalogue catalogue;
  private final long maxFutureMillis;

  private transient ReadingBatchCodec codec;
  private transient Counter batchesAccepted;
  private transient Counter readingsAccepted;
  private transient Map<RejectionReason, Counter> rejected;

  /**
   * @param catalogue the sources the pipeline accepts
   * @param maxFutureMillis how far a reading's timestamp may lie ahead of the time the pipeline
   *     received it (gateway clocks drift); further is refused as {@code future_timestamp}
   */
  public ReadingBatchParser(SourceCatalogue catalogue, long maxFutureMillis) {
    this.catalogue = catalogue;
    this.maxFutureMillis = maxFutureMillis;
  }

  @Override
  public void open(Configuration parameters) {
    codec = new ReadingBatchCodec();
    batchesAccepted = getRuntimeContext().getMetricGroup().counter("batchesAccepted");
    readingsAccepted = getRuntimeContext().getMetricGroup().counter("readingsAccepted");
    rejected = new EnumMap<>(RejectionReason.class);
    for (RejectionReason reason : RejectionReason.values()) {
      rejected.put(
          reason, getRuntimeContext().getMetricGroup().counter("rejected_" + reason.code()));
    }
  }

  @Override
  public void processElement(RawMessage message, Context context, Collector<MeasuredReading> out) {
    Optional<String> topicLocation = locationOf(message.routingKey());
    DecodedBatch decoded;
    try {
      decoded = codec.decode(message.body());
      ReadingBatch batch = decoded.batch();
      if (topicLocation.isEmpty() || !topicLocation.get().equals(batch.locationId())) {
        throw new PayloadException(
            RejectionReason.LOCATION_MISMATCH,
            "payload location_id '"
                + batch.locationId()
                + "' differs from routing key '"
                + message.routingKey()
                + "'");
      }
    } catch (PayloadException e) {
      reject(
          context, message, topicLocation.orElse(null), null, e.reason(), e.getMessage(), null, -1);
      return;
    }
    ReadingBatch batch = decoded.batch();
    for (RejectedReading bad : decoded.rejected()) {
      reject(
          context,
          message,
          batch.locationId(),
          batch,
          bad.reason(),
          bad.detail(),
          bad.raw(),
          bad.index());
    }
    int index = -1;
    for (Reading reading : batch.readings()) {
      index++;
      Optional<SourceDefinition> source =
          catalogue.source(reading.sourceId()).filter(s -> s.kind() == SourceKind.MEASUREMENT);
      if (source.isEmpty()) {
        reject(
            context,
            message,
            batch.locationId(),
            batch,
            RejectionReason.UNKNOWN_SOURCE,
            "source_id '" + reading.sourceId() + "' is not a measurement source of the catalogue",
            readingText(reading),
            index);
      } else if (reading.ts().toEpochMilli() > message.receivedAtMillis() + maxFutureMillis) {
        reject(
            context,
            message,
            batch.locationId(),
            batch,
            RejectionReason.FUTURE_TIMESTAMP,
            "ts "
                + reading.ts()
                + " of '"
                + reading.sourceId()
                + "' is more than "
                + maxFutureMillis / 1000
                + " s after the batch was received",
            readingText(reading),
            index);
      } else if (!source.get().accepts(reading.value())) {
        reject(
            context,
            message,
            batch.locationId(),
            batch,
            RejectionReason.OUT_OF_RANGE,
            "value "
                + reading.value()
                + " of '"
                + reading.sourceId()
                + "' is outside "
                + source.get().min()
                + ".."
                + source.get().max(),
            readingText(reading),
            index);
      } else {
        readingsAccepted.inc();
        out.collect(
            new MeasuredReading(
                batch.locationId(),
                batch.gatewayId(),
                batch.seq(),
                reading.sourceId(),
                source.get().group(),
                reading.ts().toEpochMilli(),
                reading.value(),
                null,
                null));
      }
    }
    batchesAccepted.inc();
    context.output(BATCHES, new BatchReceived(batch.locationId(), batch.gatewayId(), batch.seq()));
  }

  /** The location in a readings routing key, if the key has that shape. */
  static Optional<String> locationOf(String routingKey) {
    Matcher matcher = READINGS_ROUTING_KEY.matcher(routingKey == null ? "" : routingKey);
    return matcher.matches() ? Optional.of(matcher.group(1)) : Optional.empty();
  }

  private void reject(
      Context context,
      RawMessage message,
      String locationId,
      ReadingBatch batch,
      RejectionReason reason,
      String detail,
      String readingRaw,
      int index) {
    rejected.get(reason).inc();
    String payload = new String(message.body(), StandardCharsets.UTF_8);
    String raw = readingRaw == null ? payload : readingRaw;
    String id = quarantineId(message.routingKey(), payload, reason, index);
    context.output(
        REJECTED,
        new RejectedMessage(
            id,
            reason.code(),
            detail,
            locationId,
            batch == null ? null : batch.gatewayId(),
            batch == null ? null : batch.seq(),
            index,
            raw,
            message.receivedAtMillis()));
  }

  private static String readingText(Reading reading) {
    return "{\"source_id\":\""
        + reading.sourceId()
        + "\",\"ts\":\""
        + reading.ts()
        + "\",\"value\":"
        + reading.value()
        + "}";
  }

  /** The same refused message (or reading of it) always gets the same quarantine id. */
  static String quarantineId(String routingKey, String payload, RejectionReason reason, int index) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      digest.update(String.valueOf(routingKey).getBytes(StandardCharsets.UTF_8));
      digest.update((byte) 0);
      digest.update(payload.getBytes(StandardCharsets.UTF_8));
      digest.update((byte) 0);
      digest.update((reason.code() + "#" + index).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest.digest(), 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }
}
