package dev.stepgate.server;

import dev.stepgate.admin.Cli;

/** The jar's entry point: {@code java -jar stepgate.jar COMMAND ...}. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    Logging.configure();
    int code = Cli.execute(args);
    if (code != Cli.KEEP_RUNNING) System.exit(code);
  }
}
