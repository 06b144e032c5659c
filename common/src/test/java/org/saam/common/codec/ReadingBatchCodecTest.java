package org.saam.common.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.saam.common.records.Reading;
import org.saam.common.records.ReadingBatch;

class ReadingBatchCodecTest {
  private final ReadingBatchCodec codec = new ReadingBatchCodec();

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void decodesTheContractExample() throws PayloadException {
    String payload =
        """
        {"gateway_id": "gw-0001", "location_id": "loc-0001", "sent_at": "2026-11-22T07:00:00.123Z", "seq": 1234,
         "readings": [
           {"source_id": "bed.presence",  "ts": "2026-11-22T06:59:00Z", "value": 1},
           {"source_id": "bracelet.steps", "ts": "2026-11-22T07:59:00+01:00", "value": 12},
           {"source_id": "ecg.rr_interval", "ts": "2026-11-22T06:59:00.250Z", "value": 812.0}
         ]}
        """;

    DecodedBatch decoded = codec.decode(utf8(payload));

    assertThat(decoded.rejected()).isEmpty();
    ReadingBatch batch = decoded.batch();
    assertThat(batch.gatewayId()).isEqualTo("gw-0001");
    assertThat(batch.locationId()).isEqualTo("loc-0001");
    assertThat(batch.seq()).isEqualTo(1234);
    assertThat(batch.sentAt()).isEqualTo(Instant.parse("2026-11-22T07:00:00.123Z"));
    assertThat(batch.readings())
        .containsExactly(
            new Reading("bed.presence", Instant.parse("2026-11-22T06:59:00Z"), 1),
            new Reading("bracelet.steps", Instant.parse("2026-11-22T06:59:00Z"), 12),
            new Reading("ecg.rr_interval", Instant.parse("2026-11-22T06:59:00.250Z"), 812.0));
  }

  @Test
  void encodedBatchDecodesToTheSameBatch() throws PayloadException {
    ReadingBatch batch =
        new ReadingBatch(
            "gw-7",
            "loc-7",
            Instant.parse("2026-11-22T07:00:00.5Z"),
            9,
            List.of(new Reading("bed.movement", Instant.parse("2026-11-22T06:00:00Z"), 42.5)));

    assertThat(codec.decode(codec.encode(batch)).batch()).isEqualTo(batch);
  }

  @Test
  void refusesPayloadThatIsNotJson() {
    assertThatThrownBy(() -> codec.decode(utf8("hello, broker")))
        .isInstanceOf(PayloadException.class)
        .extracting(e -> ((PayloadException) e).reason())
        .isEqualTo(RejectionReason.MALFORMED_JSON);
  }

  @Test
  void refusesJsonThatIsNotAnObject() {
    assertThatThrownBy(() -> codec.decode(utf8("[1,2,3]")))
        .extracting(e -> ((PayloadException) e).reason())
        .isEqualTo(RejectionReason.MALFORMED_JSON);
  }

  @Test
  void refusesOversizePayloadBeforeParsingIt() {
    byte[] payload = new byte[ReadingBatchCodec.MAX_PAYLOAD_BYTES + 1];

    assertThatThrownBy(() -> codec.decode(payload))
        .hasMessageContaining("limit is 262144")
        .extracting(e -> ((PayloadException) e).reason())
        .isEqualTo(RejectionReason.OVERSIZE_BATCH);
  }

  @Test
  void refusesLocationIdWithDotsBecauseItWouldBreakRoutingKeys() {
    String payload =
        """
        {"gateway_id": "gw-1", "location_id": "loc.1", "sent_at": "2026-11-22T07:00:00Z", "seq": 1, "readings": []}
        """;

    assertThatThrownBy(() -> codec.decode(utf8(payload)))
        .hasMessageContaining("location_id")
        .extracting(e -> ((PayloadException) e).reason())
        .isEqualTo(RejectionReason.BAD_IDENTIFIER);
  }

  @Test
  void refusesBatchWithoutSeq() {
    String payload =
        """
        {"gateway_id": "gw-1", "location_id": "loc-1", "sent_at": "2026-11-22T07:00:00Z", "readings": []}
        """;

    assertThatThrownBy(() -> codec.decode(utf8(payload)))
        .hasMessageContaining("'seq'")
        .extracting(e -> ((PayloadException) e).reason())
        .isEqualTo(RejectionReason.MISSING_FIELD);
  }

  @Test
  void refusesBatchWithMoreThanAThousandReadings() {
    StringBuilder readings = new StringBuilder();
    for (int i = 0; i <= ReadingBatchCodec.MAX_READINGS; i++) {
      readings
          .append(i == 0 ? "" : ",")
          .append("{\"source_id\":\"x\",\"ts\":\"2026-11-22T07:00:00Z\",\"value\":1}");
    }
    String payload =
        "{\"gateway_id\":\"gw-1\",\"location_id\":\"loc-1\",\"sent_at\":\"2026-11-22T07:00:00Z\",\"seq\":1,\"readings\":["
            + readings
            + "]}";

    assertThatThrownBy(() -> codec.decode(utf8(payload)))
        .extracting(e -> ((PayloadException) e).reason())
        .isEqualTo(RejectionReason.TOO_MANY_READINGS);
  }

  @Test
  void keepsValidReadingsWhenNeighboursAreBad() throws PayloadException {
    String payload =
        """
        {"gateway_id": "gw-1", "location_id": "loc-1", "sent_at": "2026-11-22T07:00:00Z", "seq": 5,
         "readings": [
           {"source_id": "bed.presence", "ts": "2026-11-22T06:59:00Z", "value": 1},
           {"source_id": "bed.presence", "ts": "yesterday", "value": 1},
           {"source_id": "bed.presence", "ts": "2026-11-22T06:59:00", "value": 1},
           {"source_id": "bed.movement", "ts": "2026-11-22T06:59:00Z", "value": "high"},
           {"ts": "2026-11-22T06:59:00Z", "value": 3},
           {"source_id": "bed.movement", "ts": "2026-11-22T07:00:00Z", "value": 1e400},
           {"source_id": "bed.movement", "ts": "2026-11-22T07:00:00Z", "value": 3}
         ]}
        """;

    DecodedBatch decoded = codec.decode(utf8(payload));

    assertThat(decoded.batch().readings())
        .extracting(Reading::sourceId)
        .containsExactly("bed.presence", "bed.movement");
    assertThat(decoded.rejected())
        .extracting(RejectedReading::index, RejectedReading::reason)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(1, RejectionReason.BAD_TIMESTAMP),
            org.assertj.core.groups.Tuple.tuple(2, RejectionReason.BAD_TIMESTAMP),
            org.assertj.core.groups.Tuple.tuple(3, RejectionReason.MISSING_FIELD),
            org.assertj.core.groups.Tuple.tuple(4, RejectionReason.MISSING_FIELD),
            org.assertj.core.groups.Tuple.tuple(5, RejectionReason.NON_FINITE_VALUE));
    assertThat(decoded.rejected().get(1).raw()).contains("2026-11-22T06:59:00\"");
  }
}
