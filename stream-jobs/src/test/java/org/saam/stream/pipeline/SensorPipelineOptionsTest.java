package org.saam.stream.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.saam.common.config.LocalMode;
import org.saam.stream.options.SinkOptions;
import org.saam.stream.options.SourceOptions;

class SensorPipelineOptionsTest {

  @Test
  void defaultsFitTheLocalStack() {
    SensorPipelineOptions options =
        SensorPipelineOptions.fromArgs(
            new String[0],
            Map.of(
                "SAAM_RABBITMQ_PIPELINE_PASSWORD",
                "from-the-environment",
                "SAAM_PIPELINE_CLIENT_SECRET",
                "also"));

    assertThat(options.source().queue()).isEqualTo("saam.readings");
    assertThat(options.source().user()).isEqualTo("saam-pipeline");
    assertThat(options.validation().timestampWindow().earliest())
        .hasToString("2000-01-01T00:00:00Z");
    assertThat(options.sinks().mongoUri()).isEqualTo("mongodb://127.0.0.1:27017");
    assertThat(options.source().checkpointInterval()).isEqualTo(Duration.ofSeconds(1));
    assertThat(options.sinks().groupMaxReadings()).isEqualTo(5000);
  }

  @Test
  void argumentsWinOverEnvironmentAndEnvironmentOverDefaults() {
    SensorPipelineOptions options =
        SensorPipelineOptions.fromArgs(
            new String[] {"--rabbitmq.queue", "q2", "--mongo.database", "other"},
            Map.of(
                "SAAM_RABBITMQ_PIPELINE_PASSWORD",
                "s3cret",
                "SAAM_MONGO_URI",
                "mongodb://db:27017",
                "SAAM_PIPELINE_CLIENT_SECRET",
                "k"));

    assertThat(options.source().queue()).isEqualTo("q2");
    assertThat(options.sinks().database()).isEqualTo("other");
    assertThat(options.source().password()).isEqualTo("s3cret");
    assertThat(options.sinks().mongoUri()).isEqualTo("mongodb://db:27017");
  }

  @Test
  void namesTheOptionThatIsNotANumber() {
    assertThatThrownBy(
            () ->
                SensorPipelineOptions.fromArgs(
                    new String[] {"--rabbitmq.prefetch", "lots"},
                    Map.of("SAAM_RABBITMQ_PIPELINE_PASSWORD", "x")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("option --rabbitmq.prefetch must be a whole number, was 'lots'");
  }

  @Test
  void refusesOutOfRangeValuesAndForeignUris() {
    assertThatThrownBy(
            () ->
                SensorPipelineOptions.builder()
                    .set(SourceOptions.PASSWORD, "x")
                    .set(SourceOptions.PREFETCH, 0)
                    .build())
        .hasMessageContaining("--rabbitmq.prefetch must be between 1 and 65535, was 0");
    assertThatThrownBy(
            () ->
                SensorPipelineOptions.builder()
                    .set(SourceOptions.PASSWORD, "x")
                    .set(SinkOptions.MONGO_URI, "http://x")
                    .build())
        .hasMessageContaining("--mongo.uri must start with mongodb://");
  }

  @Test
  void refusesToStartWithoutABrokerPasswordInsteadOfFallingBackToAKnownOne() {
    assertThatThrownBy(() -> SensorPipelineOptions.fromArgs(new String[0], Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no broker password for saam-pipeline")
        .hasMessageContaining("SAAM_RABBITMQ_PIPELINE_PASSWORD");
  }

  @Test
  void outsideLocalModeAMissingClientSecretStopsTheJobNamingIt() {
    assertThatThrownBy(
            () ->
                SensorPipelineOptions.fromArgs(
                    new String[0], Map.of("SAAM_RABBITMQ_PIPELINE_PASSWORD", "x")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--pipeline.client-secret is not given")
        .hasMessageContaining("SAAM_PIPELINE_CLIENT_SECRET is not set")
        .hasMessageContaining("SAAM_LOCAL_MODE=true");
    assertThatThrownBy(
            () ->
                SensorPipelineOptions.fromArgs(
                    new String[] {"--pipeline.client-secret", " "},
                    Map.of("SAAM_RABBITMQ_PIPELINE_PASSWORD", "x", LocalMode.VARIABLE, "true")))
        .hasMessageContaining("option --pipeline.client-secret must not be empty");
  }

  @Test
  void theLocalClientSecretOnlyInLocalModeAndAGivenOneAlwaysWins() {
    SensorPipelineOptions local =
        SensorPipelineOptions.fromArgs(
            new String[0],
            Map.of("SAAM_RABBITMQ_PIPELINE_PASSWORD", "x", LocalMode.VARIABLE, "true"));
    assertThat(local.join().clientSecret()).isEqualTo("saam-pipeline-local-secret");

    SensorPipelineOptions given =
        SensorPipelineOptions.fromArgs(
            new String[0],
            Map.of(
                "SAAM_RABBITMQ_PIPELINE_PASSWORD",
                "x",
                "SAAM_PIPELINE_CLIENT_SECRET",
                "from-the-vault",
                LocalMode.VARIABLE,
                "true"));
    assertThat(given.join().clientSecret()).isEqualTo("from-the-vault");
  }

  @Test
  void namesABadEarliestTimestamp() {
    assertThatThrownBy(
            () ->
                SensorPipelineOptions.fromArgs(
                    new String[] {"--validation.earliest", "yesterday"},
                    Map.of("SAAM_RABBITMQ_PIPELINE_PASSWORD", "x")))
        .hasMessageContaining("--validation.earliest must be an ISO-8601 instant");
  }
}
