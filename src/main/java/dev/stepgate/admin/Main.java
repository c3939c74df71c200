package dev.stepgate.admin;

import dev.stepgate.server.Logging;

/**
 * The jar's entry point: {@code java -jar stepgate.jar COMMAND ...}. It lives with the command
 * line, which starts the server, so that {@code server} (wiring) depends on no command.
 */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    // Netty's allocator registers its JFR events at the first buffer it allocates, about 0.1 s of
    // start-up for events only a Netty debugging session wants; -Dio.netty.jfr.enabled=true restores them.
    if (System.getProperty("io.netty.jfr.enabled") == null) System.setProperty("io.netty.jfr.enabled", "false");
    Logging.configure();
    int code = Cli.execute(args);
    if (code != Cli.KEEP_RUNNING) System.exit(code);
  }
}
