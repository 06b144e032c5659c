package org.saam.ingestion.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;

import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.saam.common.codec.DecodedBatch;
import org.saam.common.codec.PayloadException;
import org.saam.common.codec.ReadingBatchCodec;
import org.saam.common.codec.TimestampWindow;
import org.saam.common.records.Reading;
import org.saam.ingestion.testing.HostilePayloads;

/**
 * Whatever bytes a gateway sends, the codec answers with a batch or a {@link PayloadException}
 * carrying a reason, never with another exception; and it accounts for every reading it was given.
 */
class ReadingBatchCodecPropertiesTest {
  private static final Instant RECEIVED_AT = Instant.parse("2026-11-22T07:00:00Z");
  private final ReadingBatchCodec codec = new ReadingBatchCodec();

  @Test
  void arbitraryBytesAreRefusedWithAReasonNeverAnException() {
    qt().withExamples(400)
        .forAll(HostilePayloads.bytes())
        .checkAssert(this::assertDecodesOrRefuses);
  }

  @Test
  void arbitraryJsonShapesAreRefusedWithAReasonNeverAnException() {
    qt().withExamples(400)
        .forAll(HostilePayloads.jsonDocuments())
        .checkAssert(
            json -> assertDecodesOrRefuses(json.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
  }

  @Test
  void everyReadingOfAnAcceptedBatchIsKeptOrRefusedWithinTheBounds() {
    qt().withExamples(1000)
        .forAll(HostilePayloads.batches())
        .checkAssert(this::keptOrRefusedWithinTheBounds);
  }

  private void keptOrRefusedWithinTheBounds(HostilePayloads.Batch batch) {
    DecodedBatch decoded;
    try {
      decoded = codec.decode(batch.bytes(), RECEIVED_AT);
    } catch (PayloadException refused) {
      assertThat(refused.reason()).isNotNull();
      assertThat(refused.getMessage()).isNotBlank().hasSizeLessThan(600);
      return;
    }
    assertThat(decoded.batch().readings().size() + decoded.rejected().size())
        .as("readings kept plus readings refused")
        .isEqualTo(batch.readingCount());
    assertThat(decoded.batch().seq()).isNotNegative();
    assertThat(decoded.batch().sentAt()).isBetween(window().earliest(), latest());
    for (Reading reading : decoded.batch().readings()) {
      assertThat(reading.ts()).isBetween(window().earliest(), latest());
      assertThat(Double.isFinite(reading.value())).isTrue();
      assertThat(reading.sourceId()).isNotEmpty();
    }
    decoded.rejected().forEach(r -> assertThat(r.detail()).isNotBlank().hasSizeLessThan(600));
  }

  @Test
  void aBatchItEncodedDecodesToTheSameReadings() {
    qt().withExamples(300).forAll(HostilePayloads.batches()).checkAssert(this::roundTrips);
  }

  private void roundTrips(HostilePayloads.Batch batch) {
    DecodedBatch decoded;
    try {
      decoded = codec.decode(batch.bytes(), RECEIVED_AT);
    } catch (PayloadException refused) {
      return;
    }
    try {
      assertThat(codec.decode(codec.encode(decoded.batch()), RECEIVED_AT).batch())
          .isEqualTo(decoded.batch());
    } catch (PayloadException e) {
      throw new AssertionError("the codec refused its own encoding: " + e.getMessage(), e);
    }
  }

  private void assertDecodesOrRefuses(byte[] payload) {
    try {
      codec.decode(payload, RECEIVED_AT);
    } catch (PayloadException refused) {
      assertThat(refused.reason()).isNotNull();
      assertThat(refused.getMessage()).isNotBlank().hasSizeLessThan(600);
    }
  }

  private static TimestampWindow window() {
    return TimestampWindow.defaults();
  }

  private static Instant latest() {
    return RECEIVED_AT.plus(window().maxFutureSkew());
  }
}
