package dev.stepgate.admin;

import dev.stepgate.StepgateException;
import dev.stepgate.config.ConfigException;
import dev.stepgate.credential.Storage;
import dev.stepgate.credential.StoreFiles;
import dev.stepgate.server.Backends;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Shared plumbing of the admin commands: {@code --config}, opening the store, and turning
 * failures into a one-line reason on stderr with the documented exit code (2: bad arguments or
 * config; 1: the operation failed).
 */
abstract class StoreCommand implements Callable<Integer> {
  static final int OK = 0;
  static final int FAILED = 1;
  static final int USAGE = 2;

  @Spec CommandSpec spec;

  @Option(names = "--config", paramLabel = "FILE", description = "Config file (default: built-in defaults, storage ./data).")
  Path config;

  private final Function<Optional<Path>, AdminSettings> settingsSource;

  StoreCommand() {
    this(AdminSettings::load);
  }

  StoreCommand(Function<Optional<Path>, AdminSettings> settingsSource) {
    this.settingsSource = settingsSource;
  }

  private dev.stepgate.audit.AuditTrail audit = dev.stepgate.audit.AuditTrail.NONE;

  /** Where a command that changes state records it ({@code admin_action} and the change's own event). */
  dev.stepgate.audit.AuditTrail audit() {
    return audit;
  }

  /** The work, given the settings and an open store. */
  abstract int run(AdminSettings settings, Storage store, PrintWriter out, PrintWriter err);

  @Override
  public final Integer call() {
    var err = spec.commandLine().getErr();
    AdminSettings settings;
    try {
      settings = settingsSource.apply(Optional.ofNullable(config));
    } catch (ConfigException e) {
      err.println("stepgate: bad config: " + e.problems().get(0));
      return USAGE;
    } catch (RuntimeException e) {
      err.println("stepgate: bad config: " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
      return USAGE;
    }
    try (var store = openStore(settings);
        var trail = dev.stepgate.server.AuditSinks.open(Optional.ofNullable(config).orElse(Path.of("(defaults)")),
            settings.audit(), settings.notifications(), System.err, java.time.Clock.systemUTC())) {
      audit = trail;
      return run(settings, store, spec.commandLine().getOut(), err);
    } catch (StepgateException e) {
      err.println("stepgate: " + e.getMessage());
      // A store others may read is refused as bad config is: exit 2, nothing done.
      return e.status() == 400 || StoreFiles.SHARED.equals(e.type()) ? USAGE : FAILED;
    }
  }

  /**
   * The one place the admin commands open a store: through the gateway's own wiring, the store
   * {@code storage.driver} names (the embedded file with its permission rule, or Postgres). The commands wait for each answer ({@link dev.stepgate.Async#join}): a
   * command line has no event loop to keep free.
   */
  static Storage openStore(AdminSettings settings) {
    return Backends.storage(settings.storage());
  }
}
