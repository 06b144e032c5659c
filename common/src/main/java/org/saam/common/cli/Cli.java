package org.saam.common.cli;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.time.format.DateTimeParseException;
import picocli.CommandLine;

/**
 * How every SAAM command-line tool runs its picocli command: {@code --help} on every command,
 * errors as one line naming the tool, and the same exit codes everywhere.
 *
 * <ul>
 *   <li>0: done;
 *   <li>1: the work failed (a server refused or could not be reached); the causes are printed on
 *       one line;
 *   <li>2: the command line was wrong (unknown command or option, a value of the wrong type, a
 *       value the command refuses); the usage follows.
 * </ul>
 */
public final class Cli {
  private Cli() {}

  public static final int OK = 0;
  public static final int FAILED = 1;
  public static final int USAGE = 2;

  /** Runs {@code command} with {@code args}, writing to {@code out} and {@code err}. */
  public static int run(Object command, String[] args, PrintStream out, PrintStream err) {
    CommandLine line = new CommandLine(command);
    line.setOut(new PrintWriter(out, true));
    line.setErr(new PrintWriter(err, true));
    line.setCaseInsensitiveEnumValuesAllowed(true);
    line.setExecutionExceptionHandler(
        (e, failed, parsed) -> {
          String tool = failed.getCommandSpec().root().name();
          if (e instanceof IllegalArgumentException || e instanceof DateTimeParseException) {
            failed.getErr().println(tool + ": " + e.getMessage());
            failed.usage(failed.getErr());
            return USAGE;
          }
          if (e instanceof InterruptedException) {
            Thread.currentThread().interrupt();
          }
          failed.getErr().println(tool + ": " + failed.getCommandName() + " failed: " + causes(e));
          return FAILED;
        });
    return line.execute(args);
  }

  /** The exception and its causes in one line: a bare IOException says nothing. */
  public static String causes(Throwable e) {
    StringBuilder text =
        new StringBuilder(e instanceof IllegalStateException ? e.getMessage() : String.valueOf(e));
    for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
      text.append("; caused by ").append(cause);
    }
    return text.toString();
  }
}
