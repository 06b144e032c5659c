package org.saam.stream.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamNode;
import org.junit.jupiter.api.Test;
import org.saam.stream.options.JoinOptions;
import org.saam.stream.options.SourceOptions;

/**
 * A savepoint maps state to operators by uid: an upgrade whose job renamed or dropped a stateful
 * operator's uid starts that operator empty (or refuses the savepoint). The uids of the streaming
 * job are therefore kept in {@code operator-uids.txt}; this test fails when the job's uids and the
 * file differ, so a change is made on purpose, with a migration plan, never by accident.
 */
class OperatorUidsTest {
  private static final Path KEPT = Path.of("src/test/resources/operator-uids.txt");

  @Test
  void theJobKeepsTheOperatorUidsSavepointsWereTakenWith() throws Exception {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    SensorPipelineOptions options =
        SensorPipelineOptions.builder()
            .set(SourceOptions.PASSWORD, "not-used")
            .set(JoinOptions.CLIENT_SECRET, "not-used")
            .build();
    SensorPipelineJob.configure(env, options);
    SensorPipelineJob.withRealConnectors(options).build(env); // builds the graph; connects nothing

    TreeSet<String> uids = new TreeSet<>();
    for (StreamNode node : env.getStreamGraph().getStreamNodes()) {
      uids.add(Objects.requireNonNullElse(node.getTransformationUID(), "<none: " + node + ">"));
    }
    List<String> kept =
        Files.readAllLines(KEPT, StandardCharsets.UTF_8).stream()
            .filter(line -> !line.isBlank() && !line.startsWith("#"))
            .toList();

    assertThat(uids)
        .as(
            "operator uids of sensor-pipeline; a renamed or removed uid loses that operator's"
                + " state on upgrade. If the change is intended, update "
                + KEPT
                + " and say in the release notes how state moves")
        .containsExactlyInAnyOrderElementsOf(kept);
  }
}
