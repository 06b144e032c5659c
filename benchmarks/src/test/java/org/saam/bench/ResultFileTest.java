package org.saam.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each benchmark's rows land in its own table of RESULTS.md, whatever sections follow it. */
class ResultFileTest {
  private static final String HEADER = "| a | b |\n|---|---|\n";

  @Test
  void rowsGoToTheEndOfTheirOwnSectionNotToTheEndOfTheFile(@TempDir Path dir) throws Exception {
    Path markdown = dir.resolve("RESULTS.md");
    Files.writeString(
        markdown,
        "# Results\n\n## Pipeline runs\n\n<!-- p -->\n"
            + HEADER
            + "| 1 | 2 |\n\n## State runs\n\n<!-- s -->\n"
            + HEADER
            + "| 5 | 6 |\n");

    ResultFile.addToSection(markdown, "Pipeline runs", "<!-- p -->\n", HEADER, "| 3 | 4 |\n");
    ResultFile.addToSection(markdown, "State runs", "<!-- s -->\n", HEADER, "| 7 | 8 |\n");
    ResultFile.addToSection(markdown, "Sink runs", "<!-- k -->\n", HEADER, "| 9 | 0 |\n");

    assertThat(Files.readString(markdown))
        .isEqualTo(
            "# Results\n\n## Pipeline runs\n\n<!-- p -->\n"
                + HEADER
                + "| 1 | 2 |\n| 3 | 4 |\n\n## State runs\n\n<!-- s -->\n"
                + HEADER
                + "| 5 | 6 |\n| 7 | 8 |\n\n## Sink runs\n\n<!-- k -->\n"
                + HEADER
                + "| 9 | 0 |\n");
  }

  @Test
  void aFileWithoutAFinalNewlineStillGetsWholeLines(@TempDir Path dir) throws Exception {
    Path markdown = dir.resolve("RESULTS.md");
    Files.writeString(markdown, "## Runs\n\n<!-- r -->\n" + HEADER + "| 1 | 2 |");
    ResultFile.addToSection(markdown, "Runs", "<!-- r -->\n", HEADER, "| 3 | 4 |\n");
    assertThat(Files.readString(markdown))
        .isEqualTo("## Runs\n\n<!-- r -->\n" + HEADER + "| 1 | 2 |\n| 3 | 4 |\n");
  }
}
