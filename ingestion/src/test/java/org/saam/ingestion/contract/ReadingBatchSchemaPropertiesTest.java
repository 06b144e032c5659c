package org.saam.ingestion.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.saam.common.codec.PayloadException;
import org.saam.common.codec.ReadingBatchCodec;
import org.saam.common.codec.TimestampWindow;
import org.saam.ingestion.testing.HostilePayloads;

/**
 * The published JSON Schema and the codec agree on the bounds: for generated hostile batches a
 * batch the schema refuses is refused (whole or reading by reading) by the codec, and for every
 * timestamp text both give the same verdict, except the two differences the schema documents.
 */
class ReadingBatchSchemaPropertiesTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static JsonSchema schema;

  @BeforeAll
  static void loadSchema() throws Exception {
    try (InputStream in = Files.newInputStream(Path.of("contract/reading-batch.schema.json"))) {
      schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(in);
    }
  }

  @Test
  void schemaAndCodecGiveTheSameVerdictOnEveryTimestamp() {
    qt().withExamples(2000)
        .forAll(HostilePayloads.timestampTexts())
        .checkAssert(ts -> unchecked(() -> sameVerdict(ts)));
  }

  @Test
  void aBatchTheSchemaRefusesIsRefusedByTheCodec() {
    qt().withExamples(500)
        .forAll(HostilePayloads.batches())
        .checkAssert(batch -> unchecked(() -> refusedByTheCodecToo(batch)));
  }

  /** Runs a check whose JSON handling declares exceptions; any exception fails the example. */
  private static void unchecked(CheckedRunnable check) {
    try {
      check.run();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private interface CheckedRunnable {
    void run() throws Exception;
  }

  private static void sameVerdict(String ts) throws Exception {
    String payload =
        "{\"gateway_id\":\"gw-1\",\"location_id\":\"loc-1\",\"sent_at\":\"2026-11-22T07:00:00Z\","
            + "\"seq\":1,\"readings\":[{\"source_id\":\"bed.presence\",\"ts\":"
            + JSON.writeValueAsString(ts)
            + ",\"value\":1}]}";
    boolean schemaAccepts = schema.validate(JSON.readTree(payload)).isEmpty();
    boolean codecAccepts =
        new ReadingBatchCodec()
            .decode(payload.getBytes(StandardCharsets.UTF_8))
            .rejected()
            .isEmpty();

    if (schemaAccepts != codecAccepts) {
      assertThat(schemaAccepts).as("only the codec may be stricter").isTrue();
      assertThat(dayTheMonthLacks(ts) || beforeTheEarliestInstant(ts))
          .as("'%s' is refused by the codec for a reason the schema documents", ts)
          .isTrue();
    }
  }

  private static void refusedByTheCodecToo(HostilePayloads.Batch batch) throws Exception {
    com.fasterxml.jackson.databind.JsonNode tree;
    try {
      tree = JSON.readTree(batch.json());
    } catch (com.fasterxml.jackson.core.JsonProcessingException notJson) {
      // Not JSON any validator could judge (for example a 1,200-digit number): refused whole.
      org.assertj.core.api.Assertions.assertThatThrownBy(
              () -> new ReadingBatchCodec().decode(batch.bytes()))
          .isInstanceOf(PayloadException.class);
      return;
    }
    if (schema.validate(tree).isEmpty()) {
      return;
    }
    try {
      var decoded = new ReadingBatchCodec().decode(batch.bytes());
      assertThat(decoded.rejected()).as("schema-invalid batch %s", batch).isNotEmpty();
    } catch (PayloadException refused) {
      assertThat(refused.reason()).isNotNull();
    }
  }

  private static boolean dayTheMonthLacks(String ts) {
    try {
      LocalDate.parse(ts.substring(0, 10));
      return false;
    } catch (DateTimeException | IndexOutOfBoundsException e) {
      return true;
    }
  }

  private static boolean beforeTheEarliestInstant(String ts) {
    try {
      Instant instant =
          OffsetDateTime.parse(ts, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
      return instant.isBefore(TimestampWindow.DEFAULT_EARLIEST);
    } catch (DateTimeException e) {
      return false;
    }
  }
}
