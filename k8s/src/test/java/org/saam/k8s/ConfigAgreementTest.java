package org.saam.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.saam.common.broker.Topics;
import org.saam.common.store.StoreIndexes;
import org.saam.k8s.PodTemplates.Pod;

/** The manifests and the programs they run agree: variables, ports, indexes, job options. */
class ConfigAgreementTest {
  private final List<ObjectNode> docs = Manifests.render("prod");

  /** Which module's sources read the variables of a SAAM image. */
  private static final Map<String, List<String>> SOURCES =
      Map.of(
          "user-service", List.of("user-service", "common", "service-kit", "identity"),
          "feature-views", List.of("feature-views", "common", "service-kit", "identity"),
          "ingestion", List.of("ingestion", "common"),
          "identity", List.of("identity", "common"),
          "flink", List.of("stream-jobs", "common"));

  @Test
  void everySaamVariableTheManifestsSetIsOneTheProgramReads() {
    List<String> unknown = new ArrayList<>();
    for (Pod pod : PodTemplates.of(docs)) {
      for (JsonNode container : pod.allContainers()) {
        String image = pod.image(container);
        String component =
            SOURCES.keySet().stream()
                .filter(c -> image.contains("/" + c + ":"))
                .findFirst()
                .orElse(null);
        if (component == null) {
          continue;
        }
        String code = sourceText(SOURCES.get(component));
        for (JsonNode env : container.path("env")) {
          String name = env.path("name").asText();
          if (name.startsWith("SAAM_")
              && !code.contains("\"" + name + "\"")
              && !code.contains("env:" + name)) {
            unknown.add(pod.owner() + " sets " + name + ", which " + component + " does not read");
          }
        }
      }
    }
    assertThat(unknown).isEmpty();
  }

  @Test
  void theServicesListenWhereTheirContainerPortsAndProbesSay() {
    for (String service : List.of("user-service", "feature-views")) {
      ObjectNode deployment = Manifests.find(docs, "Deployment", service);
      JsonNode container = deployment.at("/spec/template/spec/containers/0");
      String portVariable = service.equals("user-service") ? "SAAM_USERS_PORT" : "SAAM_VIEWS_PORT";
      String bindVariable = service.equals("user-service") ? "SAAM_USERS_BIND" : "SAAM_VIEWS_BIND";
      assertThat(env(container, portVariable))
          .isEqualTo(container.at("/ports/0/containerPort").asText());
      assertThat(env(container, bindVariable)).as("listens beyond loopback").isEqualTo("0.0.0.0");
      assertThat(container.at("/readinessProbe/httpGet/path").asText()).isEqualTo("/health");
      assertThat(container.at("/livenessProbe/httpGet/path").asText()).isEqualTo("/health/live");
      assertThat(sourceText(List.of("service-kit"))).contains("\"/health/live\"");
      assertThat(env(container, "SAAM_LOCAL_MODE"))
          .as("local mode is never on in a cluster")
          .isNull();
    }
  }

  @Test
  void theMongoInitJobCreatesExactlyTheIndexesTheQueriesNeed() {
    String script = Manifests.find(docs, "ConfigMap", "mongodb-init").at("/data/init.js").asText();
    Set<String> created = new TreeSet<>();
    Matcher m =
        Pattern.compile("saam\\.(\\w+)\\.createIndex\\(\\{([^}]*)\\}, \\{name: '([^']+)'\\}\\)")
            .matcher(script);
    while (m.find()) {
      List<String> keys = new ArrayList<>();
      for (String key : m.group(2).split(",")) {
        String field = key.strip().replaceAll(": ?1$", "").replace("'", "");
        keys.add(field);
      }
      created.add(m.group(1) + " " + m.group(3) + " " + keys);
    }
    Set<String> needed = new TreeSet<>();
    for (StoreIndexes.IndexSpec index : StoreIndexes.ALL) {
      needed.add(index.collection() + " " + index.name() + " " + index.ascendingKeys());
    }
    assertThat(created).isEqualTo(needed);
  }

  @Test
  void theTopicJobSetsTheCoachingTopicConfigurationErasureReliesOn() {
    String script =
        Manifests.find(docs, "Job", "kafka-topics")
            .at("/spec/template/spec/containers/0/args/0")
            .asText();
    Matcher m = Pattern.compile("--add-config (\\S+)").matcher(script);
    assertThat(m.find()).as("the job sets the topic's configuration: " + script).isTrue();
    Map<String, String> set = new java.util.TreeMap<>();
    // cleanup.policy=[compact,delete],retention.ms=...: commas inside brackets belong to a value
    for (String entry : m.group(1).split(",(?![^\\[]*\\])")) {
      String[] kv = entry.split("=", 2);
      set.put(kv[0], kv[1].replace("[", "").replace("]", ""));
    }
    assertThat(set).isEqualTo(new java.util.TreeMap<>(Topics.COACHING_EVENTS_TOPIC_CONFIG));
    assertThat(script).contains("--topic " + Topics.COACHING_EVENTS_TOPIC);
  }

  @Test
  void thePipelineOptionsInTheDeploymentAreOptionsTheJobKnows() {
    String code = sourceText(List.of("stream-jobs"));
    for (String name : List.of("sensor-pipeline", "backfill")) {
      JsonNode args = Manifests.find(docs, "FlinkDeployment", name).at("/spec/job/args");
      for (JsonNode arg : args) {
        String text = arg.asText();
        if (text.startsWith("--")) {
          String option = text.substring(2);
          assertThat(code)
              .as(name + " option " + text)
              .containsAnyOf("\"" + option + "\"", "get(\"" + option + "\")");
        }
      }
      JsonNode flink = Manifests.find(docs, "FlinkDeployment", name).at("/spec/flinkConfiguration");
      assertThat(flink.path("high-availability.type").asText()).isEqualTo("kubernetes");
      for (String dir :
          List.of(
              "high-availability.storageDir",
              "execution.checkpointing.dir",
              "execution.checkpointing.savepoint-dir")) {
        assertThat(flink.path(dir).asText())
            .as(name + " " + dir + " on durable storage")
            .startsWith("s3://");
      }
      assertThat(flink.path("metrics.reporter.prom.factory.class").asText())
          .endsWith("PrometheusReporterFactory");
    }
  }

  @Test
  void theClusterAlertsOnWhatTheLocalStackAlertsOn() throws IOException {
    JsonNode local =
        Manifests.YAML.readTree(
            Manifests.root().resolveSibling("ops/prometheus/alerts.yml").toFile());
    JsonNode cluster = Manifests.find(docs, "PrometheusRule", "saam").path("spec");
    assertThat(cluster.path("groups")).isEqualTo(local.path("groups"));
    assertThat(cluster.path("groups").toString()).contains("rabbitmq_queue_messages_ready");
    assertThat(
            Manifests.find(docs, "ConfigMap", "rabbitmq-config").at("/data/rabbitmq.conf").asText())
        .as("per-queue series, which the backlog alert reads")
        .contains("prometheus.return_per_object_metrics = true");
  }

  private static String env(JsonNode container, String name) {
    for (JsonNode env : container.path("env")) {
      if (env.path("name").asText().equals(name)) {
        return env.path("value").asText(null);
      }
    }
    return null;
  }

  private static String sourceText(List<String> modules) {
    StringBuilder text = new StringBuilder();
    for (String module : modules) {
      Path main = Manifests.root().resolveSibling(module).resolve("src/main/java");
      try (Stream<Path> files = Files.walk(main)) {
        for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
          text.append(Files.readString(file));
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return text.toString();
  }
}
