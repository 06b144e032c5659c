package org.saam.stream.functions;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.saam.common.catalogue.SourceCatalogue;
import org.saam.common.codec.ReadingBatchCodec;
import org.saam.common.codec.RejectionReason;
import org.saam.common.codec.TimestampWindow;
import org.saam.common.quarantine.QuarantineText;
import org.saam.common.store.QuarantineEntry;
import org.saam.stream.records.MeasuredReading;
import org.saam.stream.records.RawMessage;

class ReadingBatchParserTest {
  /** When the test's batches arrive: 2026-11-22T07:00:00Z. */
  private static final long RECEIVED_AT = 1795330800000L;

  private OneInputStreamOperatorTestHarness<RawMessage, MeasuredReading> harness;

  @BeforeEach
  void openParser() throws Exception {
    harness =
        ProcessFunctionTestHarnesses.forProcessFunction(
            new ReadingBatchParser(SourceCatalogue.loadDefault(), TimestampWindow.defaults()));
  }

  @AfterEach
  void closeParser() throws Exception {
    harness.close();
  }

  private void receive(String routingKey, String payload) throws Exception {
    harness.processElement(
        new RawMessage(routingKey, payload.getBytes(StandardCharsets.UTF_8), RECEIVED_AT), 0L);
  }

  private List<QuarantineEntry> rejected() {
    var output = harness.getSideOutput(ReadingBatchParser.REJECTED);
    // The harness has no queue for a side output that was never written to.
    return output == null ? List.of() : output.stream().map(StreamRecord::getValue).toList();
  }

  @Test
  void emitsEveryValidReadingWithItsDeviceAndBatchContext() throws Exception {
    receive(
        "saam.loc-1.readings",
        """
        {"gateway_id":"gw-1","location_id":"loc-1","sent_at":"2026-11-22T07:00:00Z","seq":8,
         "readings":[{"source_id":"bed.presence","ts":"2026-11-22T06:59:00Z","value":1},
                     {"source_id":"ecg.rr_interval","ts":"2026-11-22T06:59:00.250Z","value":812}]}
        """);

    assertThat(harness.extractOutputValues())
        .containsExactly(
            new MeasuredReading(
                "loc-1",
                "gw-1",
                8,
                "bed.presence",
                "microhub_bed",
                1795330740000L,
                1.0,
                null,
                null),
            new MeasuredReading(
                "loc-1",
                "gw-1",
                8,
                "ecg.rr_interval",
                "savvy_ecg",
                1795330740250L,
                812.0,
                null,
                null));
    assertThat(rejected()).isEmpty();
  }

  @Test
  void quarantinesUnknownSourceAndOutOfRangeValueButKeepsTheirValidNeighbour() throws Exception {
    receive(
        "saam.loc-1.readings",
        """
        {"gateway_id":"gw-1","location_id":"loc-1","sent_at":"2026-11-22T07:00:00Z","seq":9,
         "readings":[{"source_id":"bed.teleport","ts":"2026-11-22T06:59:00Z","value":1},
                     {"source_id":"bracelet.hr","ts":"2026-11-22T06:59:00Z","value":400},
                     {"source_id":"feature.sleep.efficiency","ts":"2026-11-22T06:59:00Z","value":0.5},
                     {"source_id":"bracelet.hr","ts":"2026-11-22T06:59:00Z","value":64}]}
        """);

    assertThat(harness.extractOutputValues())
        .extracting(MeasuredReading::sourceId, MeasuredReading::value)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("bracelet.hr", 64.0));
    assertThat(rejected())
        .extracting(QuarantineEntry::reason)
        .containsExactly(
            RejectionReason.UNKNOWN_SOURCE.code(),
            RejectionReason.OUT_OF_RANGE.code(),
            RejectionReason.UNKNOWN_SOURCE.code());
    assertThat(rejected().get(1).detail()).contains("400.0").contains("25.0..220.0");
    assertThat(rejected().get(1).raw()).contains("bracelet.hr").doesNotContain("teleport");
  }

  @Test
  void quarantinesWholeBatchWhenPayloadLocationDiffersFromRoutingKey() throws Exception {
    receive(
        "saam.loc-1.readings",
        """
        {"gateway_id":"gw-2","location_id":"loc-2","sent_at":"2026-11-22T07:00:00Z","seq":1,
         "readings":[{"source_id":"bed.presence","ts":"2026-11-22T06:59:00Z","value":1}]}
        """);

    assertThat(harness.extractOutputValues()).isEmpty();
    assertThat(rejected())
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.reason()).isEqualTo("location_mismatch");
              assertThat(r.locationId()).isEqualTo("loc-1");
              assertThat(r.raw()).contains("\"loc-2\"");
            });
  }

  @Test
  void sameBadMessageGetsTheSameQuarantineIdSoRedeliveryIsStoredOnce() throws Exception {
    receive("saam.loc-1.readings", "not json");
    receive("saam.loc-1.readings", "not json");
    receive("saam.loc-1.readings", "not json either");

    List<QuarantineEntry> rejected = rejected();
    assertThat(rejected).hasSize(3);
    assertThat(rejected.get(0).id()).isEqualTo(rejected.get(1).id());
    assertThat(rejected.get(2).id()).isNotEqualTo(rejected.get(0).id());
  }

  @Test
  void quarantinesReadingsFromTooFarInTheFutureAndReportsAcceptedBatches() throws Exception {
    receive(
        "saam.loc-1.readings",
        """
        {"gateway_id":"gw-1","location_id":"loc-1","sent_at":"2026-11-22T07:00:00Z","seq":41,
         "readings":[{"source_id":"bed.presence","ts":"2026-11-22T07:05:00Z","value":1},
                     {"source_id":"bed.presence","ts":"2026-11-22T08:00:00Z","value":1}]}
        """);

    assertThat(harness.extractOutputValues()).hasSize(1);
    assertThat(rejected())
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.reason()).isEqualTo("future_timestamp");
              assertThat(r.gatewayId()).isEqualTo("gw-1");
              assertThat(r.seq()).isEqualTo(41L);
              assertThat(r.index()).isEqualTo(1);
            });
    assertThat(harness.getSideOutput(ReadingBatchParser.BATCHES))
        .extracting(StreamRecord::getValue)
        .containsExactly(new org.saam.stream.records.BatchReceived("loc-1", "gw-1", 41));
  }

  @Test
  void readsTheLocationOnlyFromReadingsRoutingKeys() {
    assertThat(ReadingBatchParser.locationOf("saam.loc-0001.readings")).hasValue("loc-0001");
    assertThat(ReadingBatchParser.locationOf("saam.loc-0001.coaching")).isEmpty();
    assertThat(ReadingBatchParser.locationOf("saam.a.b.readings")).isEmpty();
    assertThat(ReadingBatchParser.locationOf(null)).isEmpty();
  }

  @Test
  void quarantinesAMessageThatMakesTheParserThrowAsInternalErrorAndGoesOn() throws Exception {
    String good =
        """
        {"gateway_id":"gw-1","location_id":"loc-1","sent_at":"2026-11-22T07:00:00Z","seq":1,
         "readings":[{"source_id":"bed.presence","ts":"2026-11-22T06:59:00Z","value":1}]}
        """;
    String poison = good.replace("\"seq\":1", "\"seq\":2");
    ReadingBatchCodec codec = new ReadingBatchCodec();
    // A decoder with a bug that only this one message triggers.
    ReadingBatchParser.BatchDecoder buggy =
        (payload, receivedAt) -> {
          if (new String(payload, StandardCharsets.UTF_8).contains("\"seq\":2")) {
            throw new ArithmeticException("long overflow");
          }
          return codec.decode(payload, receivedAt);
        };
    harness.close();
    harness =
        ProcessFunctionTestHarnesses.forProcessFunction(
            new ReadingBatchParser(SourceCatalogue.loadDefault(), buggy));

    receive("saam.loc-1.readings", good);
    receive("saam.loc-1.readings", poison);
    receive("saam.loc-1.readings", good.replace("\"seq\":1", "\"seq\":3"));

    assertThat(harness.extractOutputValues())
        .extracting(MeasuredReading::seq)
        .containsExactly(1L, 3L);
    assertThat(rejected())
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.reason()).isEqualTo("internal_error");
              assertThat(r.detail()).isEqualTo("java.lang.ArithmeticException: long overflow");
              assertThat(r.locationId()).isNull();
              assertThat(r.raw()).isEqualTo(poison);
              assertThat(r.rawTruncated()).isFalse();
            });
  }

  @Test
  void refusesTimestampsBefore2000AndBeyondTheYearRangeAndTooFarAhead() throws Exception {
    receive(
        "saam.loc-1.readings",
        """
        {"gateway_id":"gw-1","location_id":"loc-1","sent_at":"2026-11-22T07:00:00Z","seq":5,
         "readings":[{"source_id":"bed.presence","ts":"1970-01-01T00:00:00Z","value":1},
                     {"source_id":"bed.presence","ts":"+123456789-01-01T00:00:00Z","value":1},
                     {"source_id":"bed.presence","ts":"9999-12-31T23:59:59Z","value":1},
                     {"source_id":"bed.presence","ts":"2026-11-22T06:59:00Z","value":1}]}
        """);

    assertThat(harness.extractOutputValues()).hasSize(1);
    assertThat(rejected())
        .extracting(QuarantineEntry::reason)
        .containsExactly("bad_timestamp", "bad_timestamp", "future_timestamp");
  }

  @Test
  void keepsAtMost64KiBOfAnUnreplayableMessageWithItsSizeAndHash() throws Exception {
    String huge = "x".repeat(200_000);

    receive("saam.loc-1.readings", huge);

    assertThat(rejected())
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.reason()).isEqualTo("malformed_json");
              assertThat(r.raw()).hasSize(QuarantineText.MAX_RAW_BYTES);
              assertThat(r.rawTruncated()).isTrue();
              assertThat(r.payloadBytes()).isEqualTo(200_000);
              assertThat(r.payloadSha256())
                  .isEqualTo(QuarantineText.sha256(huge.getBytes(StandardCharsets.UTF_8)));
              assertThat(r.detail().length()).isLessThan(400);
            });
  }

  @Test
  void hashesTheMessageOnceAndClipsHostileTextInEveryDetail() throws Exception {
    String longSource = "s".repeat(5_000);
    StringBuilder readings = new StringBuilder();
    for (int i = 0; i < 3; i++) {
      readings
          .append(i == 0 ? "" : ",")
          .append("{\"source_id\":\"")
          .append(longSource)
          .append("\",\"ts\":\"2026-11-22T06:59:00Z\",\"value\":1}");
    }
    receive(
        "saam.loc-1.readings",
        "{\"gateway_id\":\"gw-1\",\"location_id\":\"loc-1\",\"sent_at\":\"2026-11-22T07:00:00Z\","
            + "\"seq\":6,\"readings\":["
            + readings
            + "]}");

    List<QuarantineEntry> rejected = rejected();
    assertThat(rejected)
        .hasSize(3)
        .extracting(QuarantineEntry::reason)
        .containsOnly("unknown_source");
    assertThat(rejected)
        .extracting(QuarantineEntry::payloadSha256)
        .containsOnly(rejected.get(0).payloadSha256());
    assertThat(rejected).extracting(QuarantineEntry::id).doesNotHaveDuplicates();
    assertThat(rejected).allSatisfy(r -> assertThat(r.detail().length()).isLessThan(300));
  }

  @Test
  void quarantineIndexIsTheReadingsPositionInThePayloadEvenAfterEarlierRefusals() throws Exception {
    receive(
        "saam.loc-1.readings",
        """
        {"gateway_id":"gw-1","location_id":"loc-1","sent_at":"2026-11-22T07:00:00Z","seq":7,
         "readings":[{"source_id":"bed.presence","ts":"yesterday","value":1},
                     {"source_id":"bed.teleport","ts":"2026-11-22T06:59:00Z","value":1},
                     {"source_id":"bed.presence","ts":"2026-11-22T06:59:00Z","value":1}]}
        """);

    assertThat(rejected())
        .extracting(QuarantineEntry::reason, QuarantineEntry::index)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("bad_timestamp", 0),
            org.assertj.core.groups.Tuple.tuple("unknown_source", 1));
    assertThat(harness.extractOutputValues()).hasSize(1);
  }
}
