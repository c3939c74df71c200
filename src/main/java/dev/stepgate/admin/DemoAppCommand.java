package dev.stepgate.admin;

import dev.stepgate.config.Values;
import dev.stepgate.server.Demo;
import java.net.URI;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code stepgate demo-app}: only the bundled demo app, as the upstream of gateways started on
 * their own (several nodes behind a load balancer: {@code scripts/cluster}, docker compose's
 * {@code cluster} profile).
 */
@Command(name = "demo-app", mixinStandardHelpOptions = true,
    description = "Run only the bundled demo app (the upstream of gateways you start yourself).")
public final class DemoAppCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--listen", defaultValue = "127.0.0.1:3000", paramLabel = "HOST:PORT",
      description = "Where the app listens (default ${DEFAULT-VALUE}).")
  String listen;

  @Option(names = "--gateway", paramLabel = "URL",
      description = "The gateways' public_url: verify each X-Stepgate-Assertion against its JWKS.")
  URI gateway;

  @Option(names = "--audience", paramLabel = "URL",
      description = "The gateways' upstream URL, the assertions' audience (default http://HOST:PORT of --listen).")
  URI audience;

  @Override
  public Integer call() {
    dev.stepgate.config.GatewayConfig.HostPort at;
    try {
      at = Values.hostPort(listen);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), "--listen: " + e.getMessage());
    }
    var aud = audience != null ? audience : URI.create("http://" + at.host() + ":" + at.port());
    var app = Demo.appOnly(at.host(), at.port(), Optional.ofNullable(gateway), aud);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        app.close();
      } catch (Exception e) {
        // shutting down anyway
      }
    }, "stepgate-demo-app-shutdown"));
    System.out.println("stepgate demo app listening on http://" + at.host() + ":" + at.port() + "/");
    return Cli.KEEP_RUNNING;
  }
}
