package dev.stepgate.admin;

import dev.stepgate.server.Demo;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code stepgate demo}: the gateway in front of the bundled demo app, no setup needed. */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "Run the gateway on http://localhost:8080 in front of a bundled demo app.")
public final class DemoCommand implements Callable<Integer> {
  @Option(names = "--port", defaultValue = "8080", description = "Gateway port (default ${DEFAULT-VALUE}).")
  int port;

  @Option(names = "--data", defaultValue = "./data", paramLabel = "DIR", description = "Embedded storage directory (default ${DEFAULT-VALUE}).")
  Path data;

  @Option(names = "--policies", defaultValue = "policies/demo.yaml", paramLabel = "PATH",
      description = "Policy file or directory (default ${DEFAULT-VALUE}; the bundled copy if absent).")
  Path policies;

  @Override
  public Integer call() {
    var demo = Demo.start(port, data, policies);
    Runtime.getRuntime().addShutdownHook(new Thread(demo::close, "stepgate-shutdown"));
    System.out.println();
    System.out.println("  stepgate demo is running: open " + demo.url());
    System.out.println("  (the demo app behind it listens on " + demo.appUrl() + "; Ctrl-C stops both)");
    System.out.println();
    return Cli.KEEP_RUNNING;
  }
}
