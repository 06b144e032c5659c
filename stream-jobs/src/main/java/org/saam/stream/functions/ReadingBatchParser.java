package org.saam.stream.functions;

import java.io.Serializable;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.saam.common.broker.Topics;
import org.saam.common.catalogue.SourceCatalogue;
import org.saam.common.catalogue.SourceDefinition;
import org.saam.common.catalogue.SourceKind;
import org.saam.common.codec.DecodedBatch;
import org.saam.common.codec.PayloadException;
import org.saam.common.codec.ReadingBatchCodec;
import org.saam.common.codec.RejectedReading;
import org.saam.common.codec.RejectionReason;
import org.saam.common.codec.TimestampWindow;
import org.saam.common.quarantine.QuarantineText;
import org.saam.common.records.Reading;
import org.saam.common.records.ReadingBatch;
import org.saam.common.store.QuarantineEntry;
import org.saam.stream.metrics.PipelineMetrics;
import org.saam.stream.records.BatchReceived;
import org.saam.stream.records.MeasuredReading;
import org.saam.stream.records.RawMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns broker messages into valid readings. Checks the gateway contract (with its timestamp
 * window), that the payload's location is the topic's, that every source is a measurement of the
 * catalogue and that its value is in range. What fails goes to {@link #REJECTED} with its reason: a
 * bad batch as a whole, a bad reading alone while its valid neighbours go on.
 *
 * <p><b>Nothing a message contains can fail this operator.</b> Each message is judged completely
 * before anything is emitted; if judging it throws (a bug no rule foresaw), the message goes to
 * quarantine whole with reason {@code internal_error} and the exception's class and message, none
 * of its readings are emitted, and the next message is processed as usual.
 *
 * <p>The message is hashed once (SHA-256), whatever number of its readings are refused; quarantine
 * entries keep a bounded part of the raw text (see {@link QuarantineText}).
 *
 * <p>Metrics ({@link PipelineMetrics}): {@code saam_messages_in_total}, {@code
 * saam_readings_in_total} and {@code saam_readings_refused_total} per reason (including {@code
 * internal_error}).
 */
public final class ReadingBatchParser extends ProcessFunction<RawMessage, MeasuredReading> {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(ReadingBatchParser.class);

  /** Side output of everything refused, bound for quarantine. */
  public static final OutputTag<QuarantineEntry> REJECTED =
      new OutputTag<>("rejected", TypeInformation.of(QuarantineEntry.class)) {};

  /** Side output: one record per accepted batch, for completeness (seq gap) tracking. */
  public static final OutputTag<BatchReceived> BATCHES =
      new OutputTag<>("batches", TypeInformation.of(BatchReceived.class)) {};

  /** At most one stack trace per this many milliseconds reaches the log; all are counted. */
  private static final long INTERNAL_ERROR_LOG_INTERVAL_MILLIS = 60_000;

  /** Reads a payload received at an instant; the codec in production, a fake in tests. */
  @FunctionalInterface
  public interface BatchDecoder extends Serializable {
    DecodedBatch decode(byte[] payload, Instant receivedAt) throws PayloadException;
  }

  private final SourceCatalogue catalogue;
  private final BatchDecoder decoder;

  private transient Counter messagesIn;
  private transient Counter readingsIn;
  private transient Map<RejectionReason, Counter> rejected;
  private transient long lastInternalErrorLoggedAt;

  /**
   * @param catalogue the sources the pipeline accepts
   * @param window the timestamps accepted: not before its earliest instant, not more than its
   *     future skew after the message was received (gateway clocks drift)
   */
  public ReadingBatchParser(SourceCatalogue catalogue, TimestampWindow window) {
    this(catalogue, new ReadingBatchCodec(window)::decode);
  }

  /** With another decoder: for tests that need one that fails as a bug would. */
  ReadingBatchParser(SourceCatalogue catalogue, BatchDecoder decoder) {
    this.catalogue = catalogue;
    this.decoder = decoder;
  }

  @Override
  public void open(Configuration parameters) {
    var metrics = getRuntimeContext().getMetricGroup();
    messagesIn = PipelineMetrics.messagesIn(metrics);
    readingsIn = PipelineMetrics.readingsIn(metrics);
    rejected = new EnumMap<>(RejectionReason.class);
    for (RejectionReason reason : RejectionReason.values()) {
      rejected.put(reason, PipelineMetrics.refused(metrics, reason));
    }
  }

  @Override
  public void processElement(RawMessage message, Context context, Collector<MeasuredReading> out) {
    messagesIn.inc();
    Verdict verdict = new Verdict(message);
    try {
      judge(message, verdict);
    } catch (RuntimeException | StackOverflowError e) {
      verdict = new Verdict(message);
      verdict.refuseWhole(
          null,
          RejectionReason.INTERNAL_ERROR,
          e.getClass().getName() + ": " + ReadingBatchCodec.clip(String.valueOf(e.getMessage())));
      logInternalError(message, e);
    }
    for (int i = 0; i < verdict.refusals.size(); i++) {
      rejected.get(verdict.reasons.get(i)).inc();
      context.output(REJECTED, verdict.refusals.get(i));
    }
    for (MeasuredReading reading : verdict.accepted) {
      readingsIn.inc();
      out.collect(reading);
    }
    if (verdict.batch != null) {
      context.output(BATCHES, verdict.batch);
    }
  }

  private void judge(RawMessage message, Verdict verdict) {
    Optional<String> topicLocation = locationOf(message.routingKey());
    DecodedBatch decoded;
    try {
      decoded = decoder.decode(message.body(), Instant.ofEpochMilli(message.receivedAtMillis()));
      ReadingBatch batch = decoded.batch();
      if (topicLocation.isEmpty() || !topicLocation.get().equals(batch.locationId())) {
        throw new PayloadException(
            RejectionReason.LOCATION_MISMATCH,
            "payload location_id '"
                + batch.locationId()
                + "' differs from routing key '"
                + ReadingBatchCodec.clip(message.routingKey())
                + "'");
      }
    } catch (PayloadException e) {
      verdict.refuseWhole(topicLocation.orElse(null), e.reason(), e.getMessage());
      return;
    }
    ReadingBatch batch = decoded.batch();
    for (RejectedReading bad : decoded.rejected()) {
      verdict.refuseReading(batch, bad.index(), bad.reason(), bad.detail(), bad.raw());
    }
    // Positions in the payload's readings array: the codec's batch skips what it refused.
    java.util.Set<Integer> refusedByCodec = new java.util.HashSet<>();
    decoded.rejected().forEach(bad -> refusedByCodec.add(bad.index()));
    int index = -1;
    for (Reading reading : batch.readings()) {
      do {
        index++;
      } while (refusedByCodec.contains(index));
      Optional<SourceDefinition> source =
          catalogue.source(reading.sourceId()).filter(s -> s.kind() == SourceKind.MEASUREMENT);
      if (source.isEmpty()) {
        verdict.refuseReading(
            batch,
            index,
            RejectionReason.UNKNOWN_SOURCE,
            "source_id '"
                + ReadingBatchCodec.clip(reading.sourceId())
                + "' is not a measurement source of the catalogue",
            readingText(reading));
      } else if (!source.get().accepts(reading.value())) {
        verdict.refuseReading(
            batch,
            index,
            RejectionReason.OUT_OF_RANGE,
            "value "
                + reading.value()
                + " of '"
                + reading.sourceId()
                + "' is outside "
                + source.get().min()
                + ".."
                + source.get().max(),
            readingText(reading));
      } else {
        verdict.accepted.add(
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
    verdict.batch = new BatchReceived(batch.locationId(), batch.gatewayId(), batch.seq());
  }

  /** Everything one message yields; emitted only once the message is judged completely. */
  private static final class Verdict {
    private final RawMessage message;
    private final List<MeasuredReading> accepted = new ArrayList<>();
    private final List<QuarantineEntry> refusals = new ArrayList<>();
    private final List<RejectionReason> reasons = new ArrayList<>();
    private BatchReceived batch;
    private String payloadSha256;

    Verdict(RawMessage message) {
      this.message = message;
    }

    void refuseWhole(String locationId, RejectionReason reason, String detail) {
      QuarantineText.Kept kept = QuarantineText.keep(message.body(), reason);
      refusals.add(refusal(locationId, null, reason, detail, -1, kept));
    }

    void refuseReading(
        ReadingBatch batch, int index, RejectionReason reason, String detail, String text) {
      refusals.add(
          refusal(batch.locationId(), batch, reason, detail, index, QuarantineText.keep(text)));
    }

    private QuarantineEntry refusal(
        String locationId,
        ReadingBatch batch,
        RejectionReason reason,
        String detail,
        int index,
        QuarantineText.Kept kept) {
      if (payloadSha256 == null) {
        payloadSha256 = QuarantineText.sha256(message.body());
      }
      reasons.add(reason);
      return new QuarantineEntry(
          QuarantineText.id(message.routingKey(), payloadSha256, reason.code(), index),
          reason.code(),
          detail,
          locationId,
          batch == null ? null : batch.gatewayId(),
          batch == null ? null : batch.seq(),
          index,
          kept.text(),
          kept.truncated(),
          message.body().length,
          payloadSha256,
          message.receivedAtMillis(),
          null);
    }
  }

  private void logInternalError(RawMessage message, Throwable e) {
    long now = System.currentTimeMillis();
    if (now - lastInternalErrorLoggedAt >= INTERNAL_ERROR_LOG_INTERVAL_MILLIS) {
      lastInternalErrorLoggedAt = now;
      LOG.warn(
          "internal error on a message of {} ({} bytes); quarantined as internal_error, the job"
              + " goes on (further ones within a minute are counted, not logged)",
          ReadingBatchCodec.clip(message.routingKey()),
          message.body().length,
          e);
    }
  }

  /** The location in a readings routing key, if the key has that shape. */
  static Optional<String> locationOf(String routingKey) {
    return Topics.locationOfReadingsKey(routingKey);
  }

  /** A reading as the JSON a gateway would have sent, for quarantine and replay. */
  private static String readingText(Reading reading) {
    return QuarantineText.readingJson(reading.sourceId(), reading.ts(), reading.value());
  }
}
