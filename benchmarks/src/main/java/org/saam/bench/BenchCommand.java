package org.saam.bench;

import java.io.PrintStream;
import org.saam.common.cli.Cli;
import picocli.CommandLine.Command;

/** {@code saam-bench}: the platform's benchmarks; {@code ./saam bench <name>} runs them. */
@Command(
    name = "saam-bench",
    mixinStandardHelpOptions = true,
    subcommands = {
      E2eBench.class,
      PipelineBench.class,
      StateBench.class,
      SinkBench.class,
      ViewsBench.class,
      ChartCommand.class
    },
    description = {
      "Benchmarks of the SAAM platform. Each prints a progress line while it runs and writes a"
          + " JSON result; ./saam bench <name> starts what it needs and appends a row to"
          + " benchmarks/RESULTS.md."
    })
public final class BenchCommand {
  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  static int run(String[] args, PrintStream out, PrintStream err) {
    return Cli.run(new BenchCommand(), args, out, err);
  }
}
