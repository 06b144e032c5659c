package org.saam.localstack;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.saam.common.cli.Cli;

class StackCommandTest {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String... args) {
    return StackCommand.run(
        args,
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  @Test
  void helpListsTheCommands() {
    assertThat(run("--help")).isEqualTo(Cli.OK);
    assertThat(out.toString(StandardCharsets.UTF_8))
        .contains(
            "mongo-server",
            "count-samples",
            "count-quarantine",
            "show-bucket",
            "kafka-topic",
            "backup-mongo",
            "restore-mongo",
            "backup-topic",
            "restore-topic");
  }

  @Test
  void aRestoreFromAFolderWithoutADumpFailsNamingWhatIsMissing(@TempDir Path empty) {
    // Nothing listens on the URI: the folder is checked before any connection is made.
    assertThat(
            run(
                "restore-mongo",
                "--from",
                empty.toString(),
                "--uri",
                "mongodb://127.0.0.1:1/?serverSelectionTimeoutMS=500"))
        .isEqualTo(Cli.USAGE);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains("no dump of database 'saam' in " + empty);
  }

  @Test
  void aTopicRestoreNeedsItsFileAndTopic() {
    assertThat(run("restore-topic", "--from", "x.ndjson")).isEqualTo(Cli.USAGE);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("--topic");
  }

  @Test
  void badValuesAreRefusedBeforeAnythingIsContacted() {
    assertThat(run("count-samples", "--from", "yesterday")).isEqualTo(Cli.USAGE);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("'--from'").contains("yesterday");

    err.reset();
    assertThat(run("show-bucket", "--location", "l")).isEqualTo(Cli.USAGE);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("--source");

    err.reset();
    assertThat(run("kafka-topic", "--name", "a topic")).isEqualTo(Cli.USAGE);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains("kafka-topic needs --name with letters, digits, . _ -");
  }
}
