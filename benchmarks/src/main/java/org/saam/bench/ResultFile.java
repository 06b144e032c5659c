package org.saam.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * Where a benchmark's result goes (a picocli mixin of every benchmark): the JSON file, the Markdown
 * table of RESULTS.md, and the configuration recorded with it.
 */
final class ResultFile {
  static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /** Appends a result's row to a RESULTS.md. */
  @FunctionalInterface
  interface Rows {
    void append(Path markdown, ObjectNode result) throws IOException;
  }

  @Option(
      names = "--config",
      defaultValue = "",
      description = "what to record as the configuration (./saam bench adds the commit)")
  String config;

  @Option(names = "--out", required = true, description = "the JSON result file")
  Path out;

  @Option(names = "--results-md", description = "a Markdown table to append a row to")
  Path resultsMarkdown;

  /** Writes the result and, when asked, its row. */
  void write(ObjectNode result, Rows rows) throws IOException {
    if (out.getParent() != null) {
      Files.createDirectories(out.getParent());
    }
    JSON.writeValue(out.toFile(), result);
    if (resultsMarkdown != null) {
      rows.append(resultsMarkdown, result);
    }
  }
}
