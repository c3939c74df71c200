package dev.stepgate.admin;

import dev.stepgate.config.ConfigLoader;
import dev.stepgate.server.Gateway;
import dev.stepgate.server.Logging;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code stepgate run --config FILE}: the gateway, from a config file. */
@Command(name = "run", mixinStandardHelpOptions = true, description = "Run the gateway from a config file.")
public final class RunCommand implements Callable<Integer> {
  @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE", description = "Config file (YAML).")
  Path config;

  @Override
  public Integer call() {
    var loaded = ConfigLoader.load(config);
    Logging.apply(loaded.log());
    var gateway = Gateway.start(loaded);
    StopSignals.onTermOrInt(() -> gateway.shutdown(loaded.proxy().shutdownGrace()));
    // Any other way out (System.exit elsewhere, a signal we do not handle): stop at once.
    Runtime.getRuntime().addShutdownHook(new Thread(gateway::close, "stepgate-shutdown"));
    return Cli.KEEP_RUNNING;
  }
}
