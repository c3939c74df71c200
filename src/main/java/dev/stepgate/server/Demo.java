package dev.stepgate.server;

import dev.stepgate.StepgateException;
import dev.stepgate.config.ConfigLoader;
import dev.stepgate.credential.StoreFiles;
import dev.stepgate.demo.DemoApp;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** {@code stepgate demo}: the demo app on a loopback port and the gateway in front of it. */
public final class Demo implements AutoCloseable {
  private final Vertx appVertx;
  private final DemoApp app;
  private final Gateway gateway;

  private Demo(Vertx appVertx, DemoApp app, Gateway gateway) {
    this.appVertx = appVertx;
    this.app = app;
    this.gateway = gateway;
  }

  /** {@code stepgate demo}: the gateway owns sign-in; the app trusts its headers. */
  public static Demo start(int port, Path data, Path policies) {
    return start(port, data, policies, DemoApp.Mode.GATEWAY);
  }

  /**
   * {@code stepgate demo --bolt-on} (SPEC section 8): the app keeps its own password login
   * ({@link #boltOnAccounts}), stepgate asks its {@code /api/me} who the caller is and adds
   * passkey step-up.
   */
  public static Demo startBoltOn(int port, Path data, Path policies) {
    return start(port, data, policies, DemoApp.Mode.PASSWORD);
  }

  /** The bolt-on demo's app accounts, one line each ({@code email / password (roles)}), for the banner. */
  public static java.util.List<String> boltOnAccounts() {
    return DemoApp.passwordAccounts();
  }

  private static Demo start(int port, Path data, Path policies, DemoApp.Mode mode) {
    boolean boltOn = mode == DemoApp.Mode.PASSWORD;
    var appVertx = Vertx.vertx();
    try {
      var app = Gateway.await(DemoApp.start(appVertx, "127.0.0.1", 0, mode));
      var upstream = URI.create("http://127.0.0.1:" + app.port());
      var config = boltOn
          ? ConfigLoader.demoBoltOn(upstream, policyPath(policies, data, "demo-bolt-on.yaml"), data, port)
          : ConfigLoader.demo(upstream, policyPath(policies, data, "demo.yaml"), data, port);
      var gateway = Gateway.start(config);
      var origin = "http://localhost:" + gateway.port();
      app.verifyAssertionsWith(dev.stepgate.demo.AssertionCheck.against(
          java.net.URI.create(origin + "/.stepgate/jwks.json").toURL(), origin, upstream.toString()));
      return new Demo(appVertx, app, gateway);
    } catch (java.net.MalformedURLException e) {
      appVertx.close();
      throw new StepgateException("bad-url", 500, "bad demo URL");
    } catch (RuntimeException e) {
      appVertx.close();
      throw e;
    }
  }

  /**
   * Only the demo app, without a gateway in front of it: the upstream of a gateway started on its
   * own ({@code stepgate demo-app}; the cluster script and the compose cluster use it). With a
   * {@code gateway} origin, it verifies each {@code X-Stepgate-Assertion} against that gateway's
   * JWKS, with {@code audience} (the gateway's {@code upstream}) as the audience.
   */
  public static AutoCloseable appOnly(String host, int port, java.util.Optional<URI> gateway, URI audience) {
    var vertx = Vertx.vertx();
    try {
      var app = Gateway.await(DemoApp.start(vertx, host, port));
      if (gateway.isPresent()) {
        var origin = gateway.get().toString().replaceAll("/+$", "");
        app.verifyAssertionsWith(dev.stepgate.demo.AssertionCheck.against(
            URI.create(origin + "/.stepgate/jwks.json").toURL(), origin, audience.toString()));
      }
      return () -> Gateway.await(vertx.close());
    } catch (java.net.MalformedURLException | IllegalArgumentException e) {
      vertx.close();
      throw new StepgateException("bad-url", 400, "bad gateway URL: " + gateway.map(URI::toString).orElse(""));
    } catch (RuntimeException e) {
      vertx.close();
      throw e;
    }
  }

  /**
   * The given policies, or the copy of {@code bundled} in the jar when they are absent (run from
   * anywhere).
   */
  private static Path policyPath(Path policies, Path data, String bundled) {
    if (Files.exists(policies)) return policies;
    try (InputStream in = Demo.class.getResourceAsStream("/stepgate/policies/" + bundled)) {
      if (in == null) throw new StepgateException("no-policies", 500, "policies not found: " + policies);
      // The storage directory: owner-only, as the store itself would make it.
      StoreFiles.prepareDirectory(data, false);
      // demo.yaml keeps the copy's old name, demo-policy.yaml, so existing data directories stay as they are.
      var copy = data.resolve(bundled.equals("demo.yaml") ? "demo-policy.yaml" : bundled.replace(".yaml", "-policy.yaml"));
      Files.copy(in, copy, StandardCopyOption.REPLACE_EXISTING);
      return copy;
    } catch (IOException e) {
      throw new StepgateException("no-policies", 500, "cannot write the bundled demo policy to " + data);
    }
  }

  public String url() {
    return "http://localhost:" + gateway.port() + "/";
  }

  public String appUrl() {
    return "http://127.0.0.1:" + app.port() + "/";
  }

  public int port() {
    return gateway.port();
  }

  @Override
  public void close() {
    gateway.close();
    Gateway.await(appVertx.close());
  }
}
