package dev.stepgate.admin;

import dev.stepgate.server.Logging;

/**
 * The jar's entry point: {@code java -jar stepgate.jar COMMAND ...}. It lives with the command
 * line, which starts the server, so that {@code server} (wiring) depends on no command.
 */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    Logging.configure();
    int code = Cli.execute(args);
    if (code != Cli.KEEP_RUNNING) System.exit(code);
  }
}
