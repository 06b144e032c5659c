package org.saam.ingestion;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.saam.common.cli.Cli;

/** The command line as an operator meets it: help, refusals and their exit codes. */
class IngestionCommandTest {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String... args) {
    return Cli.run(
        new IngestionCommand(),
        args,
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  private String err() {
    return err.toString(StandardCharsets.UTF_8);
  }

  @Test
  void everyCommandHasHelp() {
    for (String[] command :
        new String[][] {
          {"--help"},
          {"topology", "--help"},
          {"gateway", "add", "--help"},
          {"quarantine", "replay", "--help"},
          {"simulate", "--help"},
          {"demo-publish", "--help"}
        }) {
      out.reset();
      assertThat(run(command)).as(String.join(" ", command)).isEqualTo(Cli.OK);
      assertThat(out.toString(StandardCharsets.UTF_8)).startsWith("Usage: saam-ingestion");
    }
  }

  @Test
  void aWrongCommandLineExitsTwoNamingWhatIsWrong() {
    assertThat(run("topolgy")).isEqualTo(Cli.USAGE);
    assertThat(err()).contains("Unmatched argument").contains("topolgy");

    err.reset();
    assertThat(run("gateway", "add")).isEqualTo(Cli.USAGE);
    assertThat(err()).contains("Missing required parameter: 'LOCATION_ID'");

    err.reset();
    assertThat(run("simulate", "--homes", "three")).isEqualTo(Cli.USAGE);
    assertThat(err()).contains("'--homes'").contains("'three'");

    err.reset();
    assertThat(run("quarantine", "list", "--limit", "0")).isEqualTo(Cli.USAGE);
    assertThat(err()).contains("saam-ingestion: --limit must be at least 1, was 0");
  }

  @Test
  void aBrokerCommandWithoutAPasswordSaysWhereOneComesFrom() {
    assertThat(run("gateway", "list", "--password", "")).isEqualTo(Cli.USAGE);
    assertThat(err()).contains("no broker password: pass --password or set SAAM_RABBITMQ_PASSWORD");
  }

  @Test
  void anUnreachableBrokerExitsOneWithTheCause() {
    assertThat(run("gateway", "list", "--password", "x", "--management-url", "http://127.0.0.1:9/"))
        .isEqualTo(Cli.FAILED);
    assertThat(err()).startsWith("saam-ingestion: list failed: ");
  }
}
