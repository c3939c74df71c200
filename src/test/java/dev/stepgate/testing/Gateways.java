package dev.stepgate.testing;

import dev.stepgate.config.ConfigLoader;
import dev.stepgate.config.GatewayConfig;
import dev.stepgate.credential.StoreFiles;
import dev.stepgate.server.Gateway;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;

/** Starts a real gateway on ephemeral ports from a YAML config snippet. */
public final class Gateways {
  /** Lets every request pass: for tests of the plain proxy path. */
  public static final String OPEN_POLICY = "version: 1\ndefaults: { require: public }\nrules: []\n";

  /** Public by default, {@code /admin/**} denied, {@code /private/**} for signed-in users. */
  public static final String ADMIN_DENIED_PRIVATE_SIGNED_IN = """
      version: 1
      defaults: { require: public }
      rules:
        - name: admin
          match: { paths: ["/admin/**"] }
          require: deny
        - name: private
          match: { paths: ["/private/**"] }
          require: authenticated
      """;

  /**
   * Every test client is 127.0.0.1, and a suite signs in far faster than people do: unless a
   * test sets {@code limits} itself, limits no test meets (the rate-limit tests set their own).
   */
  public static final String TEST_LIMITS = """
      limits:
        per_ip:
          ceremonies: { rate: 60000/1m }
          invites: { rate: 60000/1m }
          forward_auth: { rate: 60000/1m }
          open_ceremonies: 100000
        per_account:
          ceremonies: { rate: 60000/1m }
          invites: { rate: 60000/1m }
          forward_auth: { rate: 60000/1m }
      """;

  private Gateways() {}

  /**
   * {@code extraYaml} is added to a config with ephemeral ports (unless it sets {@code listen}),
   * the given upstream, storage under {@code data} (unless it sets {@code storage}), and, unless it sets {@code policies}, a policy
   * that lets everything pass.
   */
  public static GatewayConfig config(String upstream, Path data, String extraYaml) {
    var yaml = new StringBuilder();
    if (!extraYaml.matches("(?s)(.*\\n)?listen:.*")) yaml.append("listen: 127.0.0.1:0\n");
    if (!extraYaml.contains("admin_listen:")) yaml.append("admin_listen: 127.0.0.1:0\n");
    yaml.append("upstream: ").append(upstream).append('\n');
    if (!extraYaml.matches("(?s)(.*\\n)?storage:.*")) yaml.append("storage: { path: ").append(data).append(" }\n");
    if (!extraYaml.contains("policies:")) yaml.append("policies: ").append(openPolicy(data)).append('\n');
    if (!extraYaml.matches("(?s)(.*\n)?limits:.*")) yaml.append(TEST_LIMITS);
    yaml.append(extraYaml);
    return ConfigLoader.parse(Path.of("test.yaml"), yaml.toString(), name -> null);
  }

  public static Gateway start(String upstream, Path data, String extraYaml) {
    return Gateway.start(config(upstream, data, extraYaml));
  }

  /** A gateway with a known public URL ({@code base}), for tests that speak WebAuthn to it. */
  public record Started(Gateway gateway, String base) {}

  /**
   * Starts a gateway enforcing {@code policyYaml} (written under {@code dir}) on a free port whose
   * {@code public_url} is known before it starts, as WebAuthn origins require.
   */
  public static Started withPolicy(String upstream, Path dir, String policyYaml, String extraYaml) throws Exception {
    return withPolicy(upstream, dir, policyYaml, extraYaml, java.time.Clock.systemUTC());
  }

  /** As {@link #withPolicy(String, Path, String, String)}, the gateway reading time from {@code clock}. */
  public static Started withPolicy(String upstream, Path dir, String policyYaml, String extraYaml, java.time.Clock clock)
      throws Exception {
    return withPolicy(upstream, dir, policyYaml, extraYaml, clock, dev.stepgate.audit.AuditTrail.NONE);
  }

  /** As {@link #withPolicy(String, Path, String, String, java.time.Clock)}, the security events going to {@code audit}. */
  public static Started withPolicy(String upstream, Path dir, String policyYaml, String extraYaml, java.time.Clock clock,
      dev.stepgate.audit.AuditTrail audit) throws Exception {
    var policy = dir.resolve("policy.yaml");
    Files.writeString(policy, policyYaml);
    var port = PasskeyUser.freePort();
    var base = "http://localhost:" + port;
    var gateway = Gateway.start(config(upstream, dir.resolve("data"),
        "listen: 127.0.0.1:" + port + "\npublic_url: " + base + "\npolicies: " + policy + "\n" + extraYaml), clock, audit);
    return new Started(gateway, base);
  }

  private static Path openPolicy(Path data) {
    try {
      // The storage directory, made as the store makes it (owner-only), or the gateway refuses it.
      StoreFiles.prepareDirectory(data, true);
      var file = data.resolve("open-policy.yaml");
      Files.writeString(file, OPEN_POLICY);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The gateway's admin {@code /metrics} page. */
  public static String metrics(Gateway gateway) throws IOException, InterruptedException {
    var r = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.adminPort() + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) throw new AssertionError("/metrics answered " + r.statusCode());
    return r.body();
  }

  /** The value of one series ({@code name} or {@code name{labels}}) on a {@code /metrics} page. */
  public static double metric(String metrics, String series) {
    for (var line : metrics.split("\n"))
      if (line.startsWith(series + " ")) return Double.parseDouble(line.substring(series.length() + 1));
    throw new AssertionError("no " + series + " in /metrics");
  }
}
