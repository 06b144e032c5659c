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

  /**
   * Adds rows to a benchmark's section of a Markdown results file: at the end of the section that
   * holds {@code marker} (before the next {@code ## } heading, so each table keeps its own rows
   * whatever was added after it), or, the first time, as a new section at the end of the file with
   * its heading, the marker and the table header.
   */
  static void addToSection(Path markdown, String heading, String marker, String header, String rows)
      throws IOException {
    String text = Files.exists(markdown) ? Files.readString(markdown) : "";
    int at = text.indexOf(marker);
    String updated;
    if (at < 0) {
      String separator = text.isEmpty() || text.endsWith("\n") ? "" : "\n";
      updated = text + separator + "\n## " + heading + "\n\n" + marker + header + rows;
    } else {
      int next = text.indexOf("\n## ", at);
      int end = next < 0 ? text.length() : next + 1;
      // Rows go right after the section's last line, before the blank lines ahead of a heading.
      int cut = end;
      while (cut > at && text.charAt(cut - 1) == '\n') {
        cut--;
      }
      String blank = text.substring(Math.min(cut + 1, end), end);
      updated = text.substring(0, cut) + "\n" + rows + blank + text.substring(end);
    }
    Files.writeString(markdown, updated);
  }
}
