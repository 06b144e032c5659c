package org.saam.stream.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.saam.stream.options.Option;
import org.saam.stream.options.SourceOptions;

/** The README's options table is the one the option records generate, so it cannot drift. */
class OptionsTableTest {
  private static final String START = "<!-- options table: generated from the option records -->";
  private static final String END = "<!-- end of options table -->";

  @Test
  void readmeShowsTheGeneratedTable() throws Exception {
    String table = SensorPipelineOptions.markdownTable();
    // Where to copy it from when an option changes.
    Files.createDirectories(Path.of("target"));
    Files.writeString(Path.of("target", "options-table.md"), table, StandardCharsets.UTF_8);

    String readme = Files.readString(Path.of("README.md"), StandardCharsets.UTF_8);
    int start = readme.indexOf(START);
    int end = readme.indexOf(END);
    assertThat(start).as("README marker " + START).isNotNegative();
    assertThat(end).as("README marker " + END).isGreaterThan(start);
    assertThat(readme.substring(start + START.length(), end).strip())
        .as("stream-jobs/README.md options table; the current one is in target/options-table.md")
        .isEqualTo(table.strip());
  }

  @Test
  void everyOptionHasOneKeyAndEveryKeyIsRead() {
    Set<String> keys = new HashSet<>();
    for (Option option : SensorPipelineOptions.ALL) {
      assertThat(keys.add(option.key())).as("key --" + option.key() + " listed twice").isTrue();
      assertThat(option.meaning()).isNotBlank();
      // A listed key that no record reads would be silently ignored: give each a bad value.
      if (!option.key().equals(SourceOptions.PASSWORD)) {
        org.assertj.core.api.Assertions.assertThatThrownBy(
                () ->
                    SensorPipelineOptions.parse(
                        Map.of(option.key(), "", SourceOptions.PASSWORD, "x"),
                        Map.of("SAAM_PIPELINE_CLIENT_SECRET", "x")))
            .as("an empty --" + option.key() + " is refused")
            .hasMessageContaining("--" + option.key());
      }
    }
  }
}
