package dev.stepgate.testing;

import dev.stepgate.config.ConfigLoader;
import dev.stepgate.config.GatewayConfig;
import dev.stepgate.server.Gateway;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Starts a real gateway on ephemeral ports from a YAML config snippet. */
public final class Gateways {
  /** Lets every request pass: for tests of the plain proxy path. */
  public static final String OPEN_POLICY = "version: 1\ndefaults: { require: public }\nrules: []\n";

  private Gateways() {}

  /**
   * {@code extraYaml} is added to a config with ephemeral ports (unless it sets {@code listen}),
   * the given upstream, storage under {@code data}, and, unless it sets {@code policies}, a policy
   * that lets everything pass.
   */
  public static GatewayConfig config(String upstream, Path data, String extraYaml) {
    var yaml = new StringBuilder();
    if (!extraYaml.matches("(?s)(.*\\n)?listen:.*")) yaml.append("listen: 127.0.0.1:0\n");
    if (!extraYaml.contains("admin_listen:")) yaml.append("admin_listen: 127.0.0.1:0\n");
    yaml.append("upstream: ").append(upstream).append('\n');
    yaml.append("storage: { path: ").append(data).append(" }\n");
    if (!extraYaml.contains("policies:")) yaml.append("policies: ").append(openPolicy(data)).append('\n');
    yaml.append(extraYaml);
    return ConfigLoader.parse(Path.of("test.yaml"), yaml.toString(), name -> null);
  }

  public static Gateway start(String upstream, Path data, String extraYaml) {
    return Gateway.start(config(upstream, data, extraYaml));
  }

  private static Path openPolicy(Path data) {
    try {
      Files.createDirectories(data);
      var file = data.resolve("open-policy.yaml");
      Files.writeString(file, OPEN_POLICY);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
