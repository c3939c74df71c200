package dev.stepgate.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.stepgate.server.Demo;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real passkeys in a real browser: the demo (gateway + Acme Bank app, {@code policies/demo.yaml})
 * runs in-process and {@code e2e/passkeys.spec.mjs} drives headless Chromium against it with a
 * CDP virtual authenticator (sign-up, usernameless and autofill sign-in, step-up for a held POST,
 * adding and removing passkeys on the account page through their own step-ups, sign-out by POST,
 * and refusals: cancelled prompt, no user verification, replay, foreign origin, cloned key, a
 * copied session cookie).
 *
 * <p>Needs {@code node}, {@code /usr/bin/chromium} (or {@code $CHROMIUM}) and {@code cd e2e && npm
 * ci}; {@code scripts/test} provides all three. Missing tools fail this test: they never skip it.
 */
class BrowserPasskeyIT {
  private static final long TIMEOUT_MINUTES = 5;

  @TempDir Path data;

  @Test
  void passkeysWorkInHeadlessChromium() throws Exception {
    runSpec(Path.of("policies/demo.yaml").toAbsolutePath(), Map.of());
  }

  /**
   * demo.yaml's change-email rule has {@code max_age: 5m}; to see a change prompt again once the
   * step-up is older than max_age without waiting five minutes, the same policy runs with 6s.
   */
  @Test
  void stepUpPromptsAgainAfterMaxAge() throws Exception {
    var demo = Files.readString(Path.of("policies/demo.yaml"));
    assertTrue(demo.contains("    max_age: 5m\n"), "policies/demo.yaml: change-email rule with max_age: 5m");
    var policy = Files.writeString(data.resolve("demo-short-max-age.yaml"), demo.replace("    max_age: 5m\n", "    max_age: 6s\n"));
    runSpec(policy, Map.of("STEPGATE_EMAIL_MAX_AGE", "6"));
  }

  /**
   * The recovery walk-through (issue 13): demo.yaml with the payouts rule also refusing passkeys
   * younger than a day, so that a passkey enrolled by recovery is turned away there.
   */
  @Test
  void recoveryEndToEnd() throws Exception {
    var demo = Files.readString(Path.of("policies/demo.yaml"));
    assertTrue(demo.contains("    max_age: 2m\n"), "policies/demo.yaml: payouts rule with max_age: 2m");
    var policy = Files.writeString(data.resolve("demo-cooling-off.yaml"),
        demo.replace("    max_age: 2m\n", "    max_age: 2m\n    min_credential_age: 24h\n"));
    runSpec(policy, Map.of("STEPGATE_RECOVERY", "1"));
  }

  /** Bolt-on mode (issue 15): {@code demo --bolt-on}, the demo app with its own password login. */
  @Test
  void boltOnDemo() throws Exception {
    runSpec(Path.of("policies/bolt-on/demo-bolt-on.yaml").toAbsolutePath(), Map.of("STEPGATE_BOLT_ON", "1"));
  }

  private void runSpec(Path policies, Map<String, String> env) throws Exception {
    var root = Path.of("").toAbsolutePath();
    var spec = root.resolve("e2e/passkeys.spec.mjs");
    var chromium = Path.of(System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium"));
    assertTrue(Files.isRegularFile(spec), "missing " + spec);
    assertTrue(Files.isDirectory(root.resolve("e2e/node_modules/playwright-core")),
        "e2e/node_modules/playwright-core is missing: run `cd e2e && npm ci` (scripts/test does)");
    assertTrue(Files.isExecutable(chromium), "Chromium not found at " + chromium
        + ": install the Debian package `chromium` (scripts/test does) or set CHROMIUM");
    var node = run(List.of("node", "--version"), root, 1);
    assertEquals(0, node.exitCode, "`node --version` failed: " + node.output);

    var port = freePort();
    boolean boltOn = "1".equals(env.get("STEPGATE_BOLT_ON"));
    try (var demo = boltOn ? Demo.startBoltOn(port, data.resolve("store"), policies) : Demo.start(port, data.resolve("store"), policies)) {
      var url = "http://localhost:" + demo.port();
      var pb = new ProcessBuilder("node", spec.toString()).directory(root.resolve("e2e").toFile());
      pb.environment().put("STEPGATE_URL", url);
      pb.environment().put("CHROMIUM", chromium.toString());
      pb.environment().putAll(env);
      var result = run(pb, TIMEOUT_MINUTES * 60);
      System.out.println(result.output);
      assertEquals(0, result.exitCode, "e2e/passkeys.spec.mjs failed against " + url + ":\n" + result.output);
      assertTrue(result.output.contains(" passed, 0 failed"), "no summary line:\n" + result.output);
    }
  }

  private record Result(int exitCode, String output) {}

  private static Result run(List<String> command, Path dir, long timeoutSeconds) throws Exception {
    return run(new ProcessBuilder(command).directory(dir.toFile()), timeoutSeconds);
  }

  /** Runs to completion (stdout and stderr merged), or kills it after the timeout and fails. */
  private static Result run(ProcessBuilder pb, long timeoutSeconds) throws Exception {
    pb.redirectErrorStream(true);
    final Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      return fail("cannot start " + pb.command() + " (is node installed? scripts/test installs it): " + e.getMessage());
    }
    var out = new ByteArrayOutputStream();
    var reader = new Thread(() -> copy(p.getInputStream(), out), "e2e-output");
    reader.setDaemon(true);
    reader.start();
    if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      reader.join(5_000);
      return fail(pb.command() + " did not finish within " + timeoutSeconds + " s:\n" + text(out));
    }
    reader.join(10_000);
    return new Result(p.exitValue(), text(out));
  }

  private static void copy(InputStream in, ByteArrayOutputStream out) {
    try (in) {
      var buf = new byte[8192];
      for (int n; (n = in.read(buf)) > 0; ) {
        synchronized (out) {
          out.write(buf, 0, n);
        }
      }
    } catch (IOException e) {
      // the process was killed; what was read so far is reported
    }
  }

  private static String text(ByteArrayOutputStream out) {
    synchronized (out) {
      return out.toString(StandardCharsets.UTF_8);
    }
  }

  private static int freePort() throws IOException {
    try (var s = new ServerSocket(0)) {
      s.setReuseAddress(true);
      return s.getLocalPort();
    }
  }
}
