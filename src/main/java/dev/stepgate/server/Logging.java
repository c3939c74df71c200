package dev.stepgate.server;

import java.util.logging.Level;
import java.util.logging.Logger;

/** One-line log records on stderr; library chatter kept at WARNING. */
public final class Logging {
  private Logging() {}

  public static void configure() {
    if (System.getProperty("java.util.logging.SimpleFormatter.format") == null)
      System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tFT%1$tT.%1$tLZ %4$s %3$s: %5$s%6$s%n");
    Logger.getLogger("io.netty").setLevel(Level.WARNING);
    Logger.getLogger("io.vertx").setLevel(Level.WARNING);
    Logger.getLogger("com.webauthn4j").setLevel(Level.WARNING);
    // Vert.x registers per-server gauges; a second listener (admin) only repeats them.
    Logger.getLogger("io.micrometer").setLevel(Level.SEVERE);
  }
}
