package org.saam.identity;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.saam.common.cli.Cli;

class IdentityCommandTest {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String... args) {
    return Cli.run(
        new IdentityCommand(),
        args,
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  @Test
  void helpOfEveryCommand() {
    assertThat(run("provision", "--help")).isEqualTo(Cli.OK);
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("--no-demo-accounts", "--keycloak");
    assertThat(run("ship-tokens", "--help")).isEqualTo(Cli.OK);
  }

  @Test
  void noCommandOrABadValueExitsTwo() {
    assertThat(run()).isEqualTo(Cli.USAGE);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("name a command");
    err.reset();
    assertThat(run("ship-tokens", "--every", "-5")).isEqualTo(Cli.USAGE);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("--every must not be negative");
  }
}
