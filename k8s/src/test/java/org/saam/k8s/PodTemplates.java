package org.saam.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The pods the manifests will make: one template per workload. */
final class PodTemplates {
  /**
   * One pod template.
   *
   * @param owner the workload, {@code Kind/name}
   * @param namespace its namespace
   * @param labels the pod's labels
   * @param spec the pod spec (for a FlinkDeployment, the pod template the operator merges)
   * @param longRunning false for Jobs (no probes expected)
   * @param flink a FlinkDeployment's pods (the operator adds Flink's own ports and probes)
   * @param defaultImage the image of containers that name none (a FlinkDeployment's spec.image)
   */
  record Pod(
      String owner,
      String namespace,
      Map<String, String> labels,
      JsonNode spec,
      boolean longRunning,
      boolean flink,
      String defaultImage) {

    String app() {
      return labels.getOrDefault("app.kubernetes.io/name", owner);
    }

    /** Containers and init containers, each with the pod-level defaults it inherits. */
    List<JsonNode> allContainers() {
      List<JsonNode> all = new ArrayList<>();
      spec.path("initContainers").forEach(all::add);
      spec.path("containers").forEach(all::add);
      return all;
    }

    List<JsonNode> containers() {
      List<JsonNode> all = new ArrayList<>();
      spec.path("containers").forEach(all::add);
      return all;
    }

    String image(JsonNode container) {
      return container.path("image").asText(defaultImage == null ? "" : defaultImage);
    }
  }

  private PodTemplates() {}

  static List<Pod> of(List<ObjectNode> docs) {
    List<Pod> pods = new ArrayList<>();
    for (ObjectNode doc : docs) {
      String kind = Manifests.kind(doc);
      JsonNode template =
          switch (kind) {
            case "Deployment", "StatefulSet", "DaemonSet", "Job" ->
                doc.path("spec").path("template");
            case "FlinkDeployment" -> doc.path("spec").path("podTemplate");
            default -> null;
          };
      if (template == null) {
        continue;
      }
      pods.add(
          new Pod(
              Manifests.id(doc),
              Manifests.namespace(doc),
              labels(template.path("metadata").path("labels")),
              template.path("spec"),
              !kind.equals("Job"),
              kind.equals("FlinkDeployment"),
              kind.equals("FlinkDeployment") ? doc.path("spec").path("image").asText() : null));
    }
    return pods;
  }

  static Map<String, String> labels(JsonNode node) {
    Map<String, String> labels = new HashMap<>();
    node.fields().forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
    return labels;
  }

  /** Whether a label selector ({@code matchLabels}/{@code matchExpressions}) selects labels. */
  static boolean selects(JsonNode selector, Map<String, String> labels) {
    if (selector == null || selector.isMissingNode() || selector.isNull()) {
      return true;
    }
    boolean structured = selector.has("matchLabels") || selector.has("matchExpressions");
    JsonNode matchLabels = structured ? selector.path("matchLabels") : selector;
    var fields = matchLabels.fields();
    while (fields.hasNext()) {
      var e = fields.next();
      if (!e.getValue().asText().equals(labels.get(e.getKey()))) {
        return false;
      }
    }
    for (JsonNode expression : selector.path("matchExpressions")) {
      String key = expression.path("key").asText();
      List<String> values = new ArrayList<>();
      expression.path("values").forEach(v -> values.add(v.asText()));
      boolean has = labels.containsKey(key);
      boolean ok =
          switch (expression.path("operator").asText()) {
            case "In" -> has && values.contains(labels.get(key));
            case "NotIn" -> !has || !values.contains(labels.get(key));
            case "Exists" -> has;
            case "DoesNotExist" -> !has;
            default ->
                throw new IllegalArgumentException("unknown selector operator " + expression);
          };
      if (!ok) {
        return false;
      }
    }
    return true;
  }
}
