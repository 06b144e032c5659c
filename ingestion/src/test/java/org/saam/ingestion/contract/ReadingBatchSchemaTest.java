package org.saam.ingestion.contract;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.saam.common.codec.PayloadException;
import org.saam.common.codec.ReadingBatchCodec;
import org.saam.ingestion.simulator.Simulation;
import org.saam.ingestion.simulator.SimulationSettings;

/** The published JSON Schema and the platform's codec agree on what a valid batch is. */
class ReadingBatchSchemaTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static JsonSchema schema;

  @BeforeAll
  static void loadSchema() throws Exception {
    try (InputStream in = Files.newInputStream(Path.of("contract/reading-batch.schema.json"))) {
      schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(in);
    }
  }

  private static Set<ValidationMessage> validate(String payload) throws Exception {
    return schema.validate(JSON.readTree(payload));
  }

  @Test
  void contractExampleIsValid() throws Exception {
    String example =
        """
        {"gateway_id": "gw-0001", "location_id": "loc-0001", "sent_at": "2026-11-22T07:00:00.123Z", "seq": 1234,
         "readings": [
           {"source_id": "bed.presence",  "ts": "2026-11-22T06:59:00Z", "value": 1},
           {"source_id": "bracelet.steps", "ts": "2026-11-22T07:59:00+01:00", "value": 12},
           {"source_id": "ecg.rr_interval", "ts": "2026-11-22T06:59:00.250Z", "value": 812.0}
         ]}
        """;

    assertThat(validate(example)).isEmpty();
    assertThat(new ReadingBatchCodec().decode(example.getBytes(StandardCharsets.UTF_8)).rejected())
        .isEmpty();
  }

  @Test
  void everySimulatedBatchIsValid() throws Exception {
    List<Simulation.Message> messages = new ArrayList<>();
    new Simulation(SimulationSettings.defaults().withHomes(1).withDays(1))
        .run(messages::add, Simulation.Pacer.FULL_SPEED);

    for (Simulation.Message message : messages.subList(0, 40)) {
      JsonNode batch = JSON.readTree(message.payload());
      assertThat(schema.validate(batch)).as("batch %s", batch.get("seq")).isEmpty();
    }
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{\"gateway_id\":\"gw-1\",\"location_id\":\"loc-1\",\"sent_at\":\"2026-11-22T07:00:00Z\",\"readings\":[]}",
        "{\"gateway_id\":\"gw-1\",\"location_id\":\"loc.1\",\"sent_at\":\"2026-11-22T07:00:00Z\",\"seq\":1,\"readings\":[]}",
        "{\"gateway_id\":\"gw-1\",\"location_id\":\"loc-1\",\"sent_at\":\"2026-11-22 07:00\",\"seq\":1,\"readings\":[]}",
        "{\"gateway_id\":\"gw-1\",\"location_id\":\"loc-1\",\"sent_at\":\"2026-11-22T07:00:00Z\",\"seq\":1.5,\"readings\":[]}",
        "{\"gateway_id\":\"gw-1\",\"location_id\":\"loc-1\",\"sent_at\":\"2026-11-22T07:00:00Z\",\"seq\":1,\"readings\":{}}"
      })
  void batchesTheSchemaRefusesTheCodecRefusesWhole(String payload) throws Exception {
    assertThat(validate(payload)).isNotEmpty();
    boolean refused;
    try {
      new ReadingBatchCodec().decode(payload.getBytes(StandardCharsets.UTF_8));
      refused = false;
    } catch (PayloadException e) {
      refused = true;
    }
    assertThat(refused).isTrue();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{\"source_id\":\"bed.presence\",\"ts\":\"2026-11-22T06:59:00\",\"value\":1}",
        "{\"source_id\":\"bed.presence\",\"ts\":\"2026-11-22T06:59:00Z\",\"value\":\"1\"}",
        "{\"source_id\":\"bed.presence\",\"value\":1}",
        "{\"source_id\":\"\",\"ts\":\"2026-11-22T06:59:00Z\",\"value\":1}"
      })
  void readingsTheSchemaRefusesTheCodecRefusesAlone(String reading) throws Exception {
    String payload =
        "{\"gateway_id\":\"gw-1\",\"location_id\":\"loc-1\",\"sent_at\":\"2026-11-22T07:00:00Z\",\"seq\":1,\"readings\":["
            + "{\"source_id\":\"bed.presence\",\"ts\":\"2026-11-22T06:58:00Z\",\"value\":1},"
            + reading
            + "]}";

    assertThat(validate(payload)).isNotEmpty();
    var decoded = new ReadingBatchCodec().decode(payload.getBytes(StandardCharsets.UTF_8));
    assertThat(decoded.batch().readings()).hasSize(1);
    assertThat(decoded.rejected()).hasSize(1);
  }

  @Test
  void schemaStatesTheCodecsTimestampPatternAndSeqBounds() throws Exception {
    JsonNode document = JSON.readTree(Path.of("contract/reading-batch.schema.json").toFile());

    assertThat(document.at("/$defs/timestamp/pattern").asText())
        .isEqualTo(ReadingBatchCodec.TIMESTAMP.pattern());
    assertThat(document.at("/properties/seq/minimum").asLong()).isZero();
    assertThat(document.at("/properties/seq/maximum").asLong()).isEqualTo(Long.MAX_VALUE);
    assertThat(document.at("/properties/gateway_id/pattern").asText())
        .isEqualTo(ReadingBatchCodec.IDENTIFIER.pattern());
  }
}
