package org.saam.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Opens each image tarball the build wrote (OCI layout, {@code ./saam images}) as a registry or a
 * kubelet would: index, manifest, config, layers. Checks that it starts the right program as the
 * unprivileged user the manifests expect, that the program's jar with its main class is in a layer,
 * and that the Java runtime is in the base.
 */
class ImageTarballsTest {
  private static final String JAVA = "usr/lib/jvm/java-17-openjdk-amd64/bin/java";

  @ParameterizedTest
  @CsvSource({
    "user-service, saam-user-service, org.saam.users.Main",
    "feature-views, saam-feature-views, org.saam.views.Main",
    "ingestion, saam-ingestion, org.saam.ingestion.IngestionCommand",
    "identity, saam-identity, org.saam.identity.IdentityCommand"
  })
  void theImageRunsItsProgramAsTheUnprivilegedUser(String module, String artifact, String mainClass)
      throws IOException {
    Assumptions.assumeTrue(
        Boolean.getBoolean("saam.images.built"),
        "images are built by ./saam images and ./saam test (jib.skip=false)");
    Path tarball =
        Manifests.root().resolveSibling(module).resolve("target/images/" + module + ".tar");
    assertThat(tarball).as("built by jib:buildTar").exists();
    Map<String, byte[]> blobs = outerEntries(tarball);

    JsonNode index = Manifests.JSON.readTree(blobs.get("index.json"));
    assertThat(
            index.at("/manifests/0/annotations").path("org.opencontainers.image.ref.name").asText())
        .startsWith("ghcr.io/saam-platform/" + module + ":");
    JsonNode manifest =
        Manifests.JSON.readTree(blob(blobs, index.at("/manifests/0/digest").asText()));
    assertThat(manifest.path("mediaType").asText())
        .isEqualTo("application/vnd.oci.image.manifest.v1+json");
    JsonNode config =
        Manifests.JSON.readTree(blob(blobs, manifest.at("/config/digest").asText())).path("config");

    assertThat(config.path("User").asText()).isEqualTo("10001:10001");
    List<String> entrypoint = Manifests.JSON.convertValue(config.path("Entrypoint"), List.class);
    assertThat(entrypoint).first().isEqualTo("java");
    assertThat(entrypoint).endsWith("-cp", "@/app/jib-classpath-file", mainClass);
    assertThat(config.path("Env").toString())
        .contains("PATH=/usr/lib/jvm/java-17-openjdk-amd64/bin");
    assertThat(config.path("Labels").path("org.saam.base.packages").asText())
        .contains("openjdk-17-jre-headless=");

    boolean java = false;
    byte[] applicationJar = null;
    String classpathFile = null;
    for (JsonNode layer : manifest.path("layers")) {
      Map<String, byte[]> files = layerFiles(blob(blobs, layer.path("digest").asText()), JAVA);
      java |= files.containsKey(JAVA);
      for (var file : files.entrySet()) {
        if (file.getKey().matches("app/classpath/" + artifact + "-[^/]+\\.jar")) {
          applicationJar = file.getValue();
        }
        if (file.getKey().equals("app/jib-classpath-file")) {
          classpathFile = new String(file.getValue(), StandardCharsets.UTF_8);
        }
      }
    }
    assertThat(java).as(JAVA + " in the base layer").isTrue();
    assertThat(applicationJar).as(artifact + " jar in app/classpath").isNotNull();
    assertThat(classpathFile).startsWith("/app/classpath/*:");
    assertThat(jarEntries(applicationJar)).contains(mainClass.replace('.', '/') + ".class");
  }

  private static byte[] blob(Map<String, byte[]> blobs, String digest) {
    byte[] blob = blobs.get("blobs/sha256/" + digest.substring("sha256:".length()));
    assertThat(blob).as("blob " + digest).isNotNull();
    return blob;
  }

  private static Map<String, byte[]> outerEntries(Path tarball) throws IOException {
    try (InputStream in = Files.newInputStream(tarball)) {
      return Tar.read(in, name -> true);
    }
  }

  /** The files of a gzip layer whose names are wanted (the app's files, and {@code marker}). */
  private static Map<String, byte[]> layerFiles(byte[] layer, String marker) throws IOException {
    try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(layer))) {
      Map<String, byte[]> files = new HashMap<>();
      Tar.read(in, name -> name.startsWith("app/") || name.equals(marker)).forEach(files::put);
      return files;
    }
  }

  private static List<String> jarEntries(byte[] jar) throws IOException {
    List<String> names = new java.util.ArrayList<>();
    try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(jar))) {
      for (ZipEntry entry = zip.getNextEntry(); entry != null; entry = zip.getNextEntry()) {
        names.add(entry.getName());
      }
    }
    return names;
  }
}
