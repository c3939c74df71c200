package dev.stepgate.config;

import java.nio.file.Path;

/** Reads and validates a gateway config file (SPEC section 2). */
public final class ConfigLoader {
  private ConfigLoader() {}

  /**
   * Loads {@code file}. Throws {@link ConfigException} listing every problem as {@code
   * file:line:col: key: message}.
   */
  public static GatewayConfig load(Path file) {
    throw new UnsupportedOperationException("in progress");
  }
}
