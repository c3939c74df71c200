package dev.stepgate.admin;

import static dev.stepgate.Async.join;

import dev.stepgate.StepgateException;
import dev.stepgate.audit.AuditEntry;
import dev.stepgate.audit.AuditTrail;
import dev.stepgate.config.ConfigException;
import dev.stepgate.credential.Storage;
import dev.stepgate.credential.StoreFiles;
import dev.stepgate.credential.User;
import dev.stepgate.credential.Usernames;
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

  /**
   * Where the commands' events go (SPEC section 9) when a test sets it; left null, {@link #call}
   * opens the trail the config names ({@code audit.sink}).
   */
  AuditTrail trail;

  StoreCommand() {
    this(AdminSettings::load);
  }

  StoreCommand(Function<Optional<Path>, AdminSettings> settingsSource) {
    this.settingsSource = settingsSource;
  }

  private AuditTrail audit = AuditTrail.NONE;

  /** Where a command that changes state records it ({@code admin_action} and the change's own event). */
  AuditTrail audit() {
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
        var opened = trail != null ? null : dev.stepgate.server.AuditSinks.open(
            Optional.ofNullable(config).orElse(Path.of("(defaults)")), settings.audit(), settings.notifications(),
            System.err, java.time.Clock.systemUTC())) {
      audit = trail != null ? trail : opened;
      return run(settings, store, spec.commandLine().getOut(), err);
    } catch (StepgateException e) {
      err.println("stepgate: " + e.getMessage());
      // A store others may read is refused as bad config is: exit 2, nothing done.
      return e.status() == 400 || StoreFiles.SHARED.equals(e.type()) ? USAGE : FAILED;
    }
  }

  /** Emits {@code admin_action} for {@code action} (e.g. {@code users.disable}) on {@code target}, a username. */
  final void adminAction(String action, String target, String userId) {
    audit.emit(AuditEntry.of("admin_action").user(userId).with("action", action).with("target", target));
  }

  /**
   * {@code raw} normalized as a username, or empty after a one-line reason on {@code err} (the
   * caller exits {@link #USAGE}: a username that cannot exist is a bad argument).
   */
  static Optional<String> username(String raw, PrintWriter err) {
    try {
      return Optional.of(Usernames.normalize(raw));
    } catch (IllegalArgumentException e) {
      err.println("stepgate: invalid username: " + e.getMessage());
      return Optional.empty();
    }
  }

  /** The user named {@code name} (normalized), or empty after {@code no such user} on {@code err}. */
  static Optional<User> user(Storage store, String name, PrintWriter err) {
    var u = join(store.users().byUsername(name));
    if (u.isEmpty()) err.println("stepgate: no such user: " + name);
    return u;
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
