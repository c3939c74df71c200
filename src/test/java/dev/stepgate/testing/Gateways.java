package dev.stepgate.testing;

import dev.stepgate.config.ConfigLoader;
import dev.stepgate.config.GatewayConfig;
import dev.stepgate.server.Gateway;
import java.nio.file.Path;

/** Starts a real gateway on ephemeral ports from a YAML config snippet. */
public final class Gateways {
  private Gateways() {}

  /** {@code extraYaml} is appended to a config with ephemeral ports and the given upstream. */
  public static GatewayConfig config(String upstream, Path data, String extraYaml) {
    var yaml = "listen: 127.0.0.1:0\n"
        + "admin_listen: 127.0.0.1:0\n"
        + "upstream: " + upstream + "\n"
        + "storage: { path: " + data + " }\n"
        + extraYaml;
    return ConfigLoader.parse(Path.of("test.yaml"), yaml, name -> null);
  }

  public static Gateway start(String upstream, Path data, String extraYaml) {
    return Gateway.start(config(upstream, data, extraYaml));
  }
}
