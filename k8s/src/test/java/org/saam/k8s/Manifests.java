package org.saam.k8s;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/** The manifests as Kubernetes would receive them: each overlay rendered by kustomize. */
final class Manifests {
  static final YAMLMapper YAML = new YAMLMapper();
  static final ObjectMapper JSON = new ObjectMapper();
  private static final Map<String, List<ObjectNode>> RENDERED = new ConcurrentHashMap<>();

  private Manifests() {}

  /** The k8s/ folder (surefire runs in the module's folder). */
  static Path root() {
    return Path.of(System.getProperty("basedir", ".")).toAbsolutePath().normalize();
  }

  /** The objects of an overlay ({@code dev}, {@code prod}) or of {@code base}, in order. */
  static List<ObjectNode> render(String overlay) {
    return RENDERED.computeIfAbsent(overlay, Manifests::kustomize).stream()
        .map(ObjectNode::deepCopy)
        .toList();
  }

  private static List<ObjectNode> kustomize(String overlay) {
    Path dir =
        overlay.equals("base") ? root().resolve("base") : root().resolve("overlays/" + overlay);
    try {
      Path out = Files.createTempFile("kustomize-" + overlay, ".yaml");
      Path err = Files.createTempFile("kustomize-" + overlay, ".err");
      Process process;
      try {
        process =
            new ProcessBuilder("kubectl", "kustomize", dir.toString())
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .start();
      } catch (IOException e) {
        throw new IllegalStateException(
            "kubectl was not found: the checks render the overlays with 'kubectl kustomize'"
                + " (kubectl 1.27 or later; k8s/README.md)",
            e);
      }
      if (!process.waitFor(120, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IllegalStateException("kubectl kustomize " + dir + " took over 120 s");
      }
      if (process.exitValue() != 0) {
        throw new IllegalStateException(
            "kubectl kustomize "
                + dir
                + " failed: "
                + Files.readString(err, StandardCharsets.UTF_8).strip());
      }
      List<ObjectNode> docs = parseAll(Files.readString(out, StandardCharsets.UTF_8));
      Files.delete(out);
      Files.delete(err);
      return docs;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Every document of a multi-document YAML text, empty documents left out. */
  static List<ObjectNode> parseAll(String yaml) throws IOException {
    List<ObjectNode> docs = new ArrayList<>();
    try (JsonParser parser = new YAMLFactory().createParser(yaml)) {
      var values = YAML.readValues(parser, JsonNode.class);
      while (values.hasNext()) {
        JsonNode node = values.next();
        if (node instanceof ObjectNode object) {
          docs.add(object);
        }
      }
    }
    return docs;
  }

  /** What the manifests use but do not create (k8s/external.yaml). */
  static JsonNode external() {
    try {
      return YAML.readTree(root().resolve("external.yaml").toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String kind(JsonNode doc) {
    return doc.path("kind").asText();
  }

  static String name(JsonNode doc) {
    return doc.path("metadata").path("name").asText();
  }

  static String namespace(JsonNode doc) {
    return doc.path("metadata").path("namespace").asText("");
  }

  /** {@code Kind/name}, as messages name objects. */
  static String id(JsonNode doc) {
    return kind(doc) + "/" + name(doc);
  }

  static List<ObjectNode> ofKind(List<ObjectNode> docs, String kind) {
    return docs.stream().filter(d -> kind(d).equals(kind)).toList();
  }

  static ObjectNode find(List<ObjectNode> docs, String kind, String name) {
    return docs.stream()
        .filter(d -> kind(d).equals(kind) && name(d).equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + kind + "/" + name + " in the manifests"));
  }
}
