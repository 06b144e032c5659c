package org.saam.stream.functions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.lists;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;
import org.saam.common.catalogue.SourceCatalogue;
import org.saam.common.codec.TimestampWindow;
import org.saam.common.store.QuarantineEntry;
import org.saam.ingestion.testing.HostilePayloads;
import org.saam.stream.records.MeasuredReading;
import org.saam.stream.records.RawMessage;

/**
 * The parser operator, fed hostile messages in a harness: every message ends as readings or as
 * quarantine entries with a reason, never as an exception, and readings emitted plus readings
 * refused equals readings sent.
 */
class ReadingBatchParserPropertiesTest {
  /** 2026-11-22T07:00:00Z. */
  private static final long RECEIVED_AT = 1795330800000L;

  private static final SourceCatalogue CATALOGUE = SourceCatalogue.loadDefault();

  private static Gen<List<byte[]>> hostileMessages() {
    return lists()
        .of(
            Generate.oneOf(
                HostilePayloads.bytes(),
                HostilePayloads.jsonDocuments().map(s -> s.getBytes(StandardCharsets.UTF_8)),
                HostilePayloads.batches().map(HostilePayloads.Batch::bytes)))
        .ofSizeBetween(1, 8);
  }

  private static Gen<List<HostilePayloads.Batch>> hostileBatches() {
    return lists().of(HostilePayloads.batches()).ofSizeBetween(1, 8);
  }

  /** Runs one example; any exception fails it. */
  private static <T> void check(T example, CheckedConsumer<T> check) {
    try {
      check.accept(example);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private interface CheckedConsumer<T> {
    void accept(T example) throws Exception;
  }

  @Test
  void everyMessageEndsAsReadingsOrQuarantineEntriesNeverAsAnException() {
    qt().withExamples(200)
        .forAll(hostileMessages())
        .checkAssert(messages -> check(messages, this::endsAsReadingsOrEntries));
  }

  @Test
  void readingsEmittedPlusReadingsRefusedEqualsReadingsSent() {
    qt().withExamples(300)
        .forAll(hostileBatches())
        .checkAssert(batches -> check(batches, this::everyReadingAccountedFor));
  }

  private void endsAsReadingsOrEntries(List<byte[]> messages) throws Exception {
    try (var harness = parser()) {
      for (byte[] body : messages) {
        harness.processElement(new RawMessage(routingKey(), body, RECEIVED_AT), 0L);
      }

      List<QuarantineEntry> rejected = rejected(harness);
      var batches = harness.getSideOutput(ReadingBatchParser.BATCHES);
      long accepted = batches == null ? 0 : batches.size();
      long refusedWhole = rejected.stream().filter(r -> r.index() < 0).count();
      assertThat(accepted + refusedWhole)
          .as("every message is an accepted batch or refused whole, an empty batch too")
          .isEqualTo(messages.size());
      assertThat(rejected).allSatisfy(ReadingBatchParserPropertiesTest::isBounded);
      assertThat(rejected).extracting(QuarantineEntry::reason).doesNotContain("internal_error");
    }
  }

  private void everyReadingAccountedFor(List<HostilePayloads.Batch> batches) throws Exception {
    for (HostilePayloads.Batch batch : batches) {
      try (var harness = parser()) {
        harness.processElement(new RawMessage(routingKey(), batch.bytes(), RECEIVED_AT), 0L);

        List<MeasuredReading> emitted = harness.extractOutputValues();
        List<QuarantineEntry> rejected = rejected(harness);
        boolean refusedWhole = rejected.stream().anyMatch(r -> r.index() < 0);
        if (refusedWhole) {
          assertThat(rejected).as("a batch refused whole, %s", batch).hasSize(1);
          assertThat(emitted).isEmpty();
        } else {
          assertThat(emitted.size() + rejected.size())
              .as("readings emitted plus refused, %s", batch)
              .isEqualTo(batch.readingCount());
          assertThat(rejected).extracting(QuarantineEntry::index).doesNotHaveDuplicates();
        }
        assertThat(rejected).allSatisfy(ReadingBatchParserPropertiesTest::isBounded);
      }
    }
  }

  private static void isBounded(QuarantineEntry r) {
    assertThat(r.reason()).isNotBlank();
    assertThat(r.detail()).isNotBlank().hasSizeLessThan(600);
    assertThat(r.raw().getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(256 * 1024);
    assertThat(r.payloadSha256()).hasSize(64);
  }

  private static String routingKey() {
    return "saam." + HostilePayloads.LOCATION + ".readings";
  }

  private static OneInputStreamOperatorTestHarness<RawMessage, MeasuredReading> parser()
      throws Exception {
    return ProcessFunctionTestHarnesses.forProcessFunction(
        new ReadingBatchParser(CATALOGUE, TimestampWindow.defaults()));
  }

  private static List<QuarantineEntry> rejected(
      OneInputStreamOperatorTestHarness<RawMessage, MeasuredReading> harness) {
    var output = harness.getSideOutput(ReadingBatchParser.REJECTED);
    return output == null ? List.of() : output.stream().map(StreamRecord::getValue).toList();
  }
}
