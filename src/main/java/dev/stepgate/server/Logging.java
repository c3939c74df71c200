package dev.stepgate.server;

import dev.stepgate.config.GatewayConfig;
import dev.stepgate.observe.LogFormats;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.Logger;

/** One-line log records on stderr (text or JSON, by {@code log.format}); library chatter kept at WARNING. */
public final class Logging {
  // java.util.logging keeps loggers weakly: hold them, or their levels are lost to the GC.
  private static final java.util.List<Logger> CONFIGURED = new java.util.ArrayList<>();

  private Logging() {}

  private static void level(String name, Level level) {
    var logger = Logger.getLogger(name);
    logger.setLevel(level);
    CONFIGURED.add(logger);
  }

  /**
   * Applies the config's {@code log} section: the format of every line on stderr, and at {@code
   * debug} one line per request ({@link AccessLog}).
   */
  public static void apply(GatewayConfig.Log log) {
    var formatter = log.format() == GatewayConfig.LogFormat.JSON ? LogFormats.json() : LogFormats.text();
    var level = switch (log.level()) {
      case DEBUG -> Level.FINE;
      case INFO -> Level.INFO;
      case WARNING -> Level.WARNING;
    };
    var root = Logger.getLogger("");
    for (Handler h : root.getHandlers()) {
      h.setFormatter(formatter);
      if (h.getLevel().intValue() > level.intValue()) h.setLevel(level);
    }
    level("dev.stepgate", level);
  }

  public static void configure() {
    if (System.getProperty("java.util.logging.SimpleFormatter.format") == null)
      System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tFT%1$tT.%1$tLZ %4$s %3$s: %5$s%6$s%n");
    level("io.netty", Level.WARNING);
    level("io.vertx", Level.WARNING);
    level("com.webauthn4j", Level.WARNING);
    // Vert.x registers per-server gauges; a second listener (admin) only repeats them.
    level("io.micrometer", Level.SEVERE);
  }
}
