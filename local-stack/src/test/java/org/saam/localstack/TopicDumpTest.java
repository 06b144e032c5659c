package org.saam.localstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

class TopicDumpTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static ConsumerRecord<byte[], byte[]> consumed(
      int partition, long offset, byte[] key, byte[] header, byte[] value) {
    RecordHeaders headers = new RecordHeaders();
    headers.add("event_id", header);
    return new ConsumerRecord<>(
        "t",
        partition,
        offset,
        1_700_000_000_000L + offset,
        TimestampType.CREATE_TIME,
        -1,
        -1,
        key,
        value,
        headers,
        java.util.Optional.empty());
  }

  /** What a line written by the dump and read back gives: the same record, byte for byte. */
  @Test
  void anyKeyHeaderAndValueSurviveTheRoundTrip() {
    Gen<byte[]> bytes =
        Generate.byteArrays(
            Generate.range(0, 300), Generate.bytes(Byte.MIN_VALUE, Byte.MAX_VALUE, (byte) 0));
    qt().withExamples(1000)
        .forAll(bytes, bytes, bytes)
        .checkAssert(
            (key, header, value) -> {
              try {
                roundTrips(key, header, value);
              } catch (IOException e) {
                throw new AssertionError(e);
              }
            });
  }

  private static void roundTrips(byte[] key, byte[] header, byte[] value) throws IOException {
    String line = JSON.writeValueAsString(TopicDump.line(consumed(2, 41, key, header, value)));
    ProducerRecord<byte[], byte[]> back = TopicDump.record(JSON.readTree(line), "restored", 3);
    assertThat(back.topic()).isEqualTo("restored");
    assertThat(back.partition()).isEqualTo(2);
    assertThat(back.timestamp()).isEqualTo(1_700_000_000_041L);
    assertThat(back.key()).isEqualTo(key);
    assertThat(back.value()).isEqualTo(value);
    Header restored = back.headers().lastHeader("event_id");
    assertThat(restored.value()).isEqualTo(header);
  }

  @Test
  void textStaysReadableInTheDump() {
    byte[] event = "{\"event_id\":\"e1\"}".getBytes(StandardCharsets.UTF_8);
    JsonNode line =
        TopicDump.line(
            consumed(0, 7, "user-1".getBytes(StandardCharsets.UTF_8), "e1".getBytes(), event));
    assertThat(line.get("key").asText()).isEqualTo("user-1");
    assertThat(line.get("value").asText()).isEqualTo("{\"event_id\":\"e1\"}");
    assertThat(line.get("offset").asLong()).isEqualTo(7);
  }

  @Test
  void aLineForAPartitionTheTopicDoesNotHaveIsRefused() throws IOException {
    JsonNode line = JSON.readTree("{\"partition\":3,\"timestamp\":1,\"key\":null,\"value\":\"x\"}");
    assertThatThrownBy(() -> TopicDump.record(line, "t", 3))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("partition 3 is not one of the topic's 3");
  }

  @Test
  void aLineWithoutTimestampOrNotAnObjectIsRefused() throws IOException {
    assertThatThrownBy(() -> TopicDump.record(JSON.readTree("{\"partition\":0}"), "t", 1))
        .hasMessageContaining("timestamp");
    assertThatThrownBy(() -> TopicDump.record(JSON.readTree("[1,2]"), "t", 1))
        .hasMessageContaining("not a JSON object");
  }
}
