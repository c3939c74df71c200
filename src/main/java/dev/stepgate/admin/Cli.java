package dev.stepgate.admin;

import dev.stepgate.StepgateException;
import dev.stepgate.config.ConfigException;
import java.io.PrintWriter;
import picocli.CommandLine;

/**
 * Runs the {@code stepgate} command line. Bad arguments or config: a one-line reason per problem
 * on stderr and exit code 2, nothing started.
 */
public final class Cli {
  /** Returned by commands that started a server: the process must not exit. */
  public static final int KEEP_RUNNING = -1;

  private Cli() {}

  public static int execute(String... args) {
    return commandLine().execute(args);
  }

  /** The command tree with stepgate's error handling, for tests to drive with their own writers. */
  public static CommandLine commandLine() {
    var cli = new CommandLine(new StepgateCommand());
    cli.setParameterExceptionHandler((ex, a) -> {
      var err = ex.getCommandLine().getErr();
      err.println("stepgate: " + ex.getMessage() + " (see --help)");
      return 2;
    });
    cli.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
      PrintWriter err = commandLine.getErr();
      if (ex instanceof ConfigException c) {
        for (var p : c.problems()) err.println("stepgate: " + p);
        return 2;
      }
      if (ex instanceof StepgateException s) {
        err.println("stepgate: " + s.getMessage());
        return 2;
      }
      err.println("stepgate: internal error (" + ex.getClass().getSimpleName() + ")");
      return 1;
    });
    return cli;
  }
}
