package dev.stepgate.admin;

import dev.stepgate.server.Demo;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code stepgate demo}: the gateway in front of the bundled demo app, no setup needed. With
 * {@code --bolt-on} the app keeps its own password login and the gateway adds passkey step-up
 * (SPEC section 8).
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = {"Run the gateway on http://localhost:8080 in front of a bundled demo app.",
        "With --bolt-on the app keeps its own password login and the gateway adds passkey step-up."})
public final class DemoCommand implements Callable<Integer> {
  static final Path POLICIES = Path.of("policies/demo.yaml");
  static final Path BOLT_ON_POLICIES = Path.of("policies/bolt-on/demo-bolt-on.yaml");

  @Option(names = "--port", defaultValue = "8080", description = "Gateway port (default ${DEFAULT-VALUE}).")
  int port;

  @Option(names = "--data", defaultValue = "./data", paramLabel = "DIR", description = "Embedded storage directory (default ${DEFAULT-VALUE}).")
  Path data;

  @Option(names = "--policies", paramLabel = "PATH",
      description = "Policy file or directory (default policies/demo.yaml, with --bolt-on policies/bolt-on/demo-bolt-on.yaml;"
          + " the bundled copy if absent).")
  Path policies;

  @Option(names = "--bolt-on",
      description = "Bolt-on mode: the demo app keeps its own password login (demo accounts printed at start-up);"
          + " the gateway asks the app's /api/me who is signed in and adds passkey step-up.")
  boolean boltOn;

  @Override
  public Integer call() {
    if (boltOn) return boltOn();
    var demo = Demo.start(port, data, policies != null ? policies : POLICIES);
    Runtime.getRuntime().addShutdownHook(new Thread(demo::close, "stepgate-shutdown"));
    System.out.println();
    System.out.println("  stepgate demo is running: open " + demo.url());
    System.out.println("  (the demo app behind it listens on " + demo.appUrl() + "; Ctrl-C stops both)");
    System.out.println();
    return Cli.KEEP_RUNNING;
  }

  private Integer boltOn() {
    var demo = Demo.startBoltOn(port, data, policies != null ? policies : BOLT_ON_POLICIES);
    Runtime.getRuntime().addShutdownHook(new Thread(demo::close, "stepgate-shutdown"));
    System.out.println();
    System.out.println("  stepgate demo (bolt-on mode) is running: open " + demo.url());
    System.out.println("  (the demo app behind it listens on " + demo.appUrl() + "; Ctrl-C stops both)");
    System.out.println();
    System.out.println("  The app keeps its own password login. Demo accounts:");
    for (var account : Demo.boltOnAccounts()) System.out.println("    " + account);
    System.out.println();
    System.out.println("  Try it: sign in with the app's password, open Payouts, create a passkey when asked,");
    System.out.println("  change the payout destination: it goes through once, and the next change asks for");
    System.out.println("  the passkey again.");
    System.out.println();
    return Cli.KEEP_RUNNING;
  }
}
