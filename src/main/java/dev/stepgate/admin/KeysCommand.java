package dev.stepgate.admin;

import dev.stepgate.Async;
import dev.stepgate.StepgateException;
import dev.stepgate.config.ConfigException;
import dev.stepgate.identity.SigningKeyStore;
import dev.stepgate.identity.SigningKeys;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code stepgate keys …}: the assertion signing keys (SPEC section 1). {@code keys rotate} makes a
 * new key current; the old one stays in {@code /.stepgate/jwks.json} for {@code
 * assertion.key_grace} so assertions it signed keep verifying. Running gateways switch at their
 * next key reload. {@code keys list} shows the published keys, never key material.
 *
 * <p>Exit codes: 0 done; 1 the store holds an unusable key (nothing changed); 2 bad arguments or
 * bad config.
 */
@Command(
    name = "keys",
    description = "Manage the keys that sign X-Stepgate-Assertion.",
    mixinStandardHelpOptions = true,
    subcommands = {KeysCommand.Rotate.class, KeysCommand.ListKeys.class})
public final class KeysCommand implements Callable<Integer> {

  /** Opens the key store a config file names; the server supplies the real one. */
  @FunctionalInterface
  public interface StoreOpener {
    /**
     * @param config the {@code --config} file, or empty for the default config
     * @throws ConfigException if the config is unusable
     */
    OpenedStore open(Optional<Path> config);
  }

  /**
   * An open key store and the grace configured for it.
   *
   * @param store the keys' storage
   * @param keyGrace {@code assertion.key_grace} from the config
   * @param resource closed when the command is done (a database handle), or a no-op
   */
  public record OpenedStore(SigningKeyStore store, Duration keyGrace, AutoCloseable resource) implements AutoCloseable {
    public OpenedStore {
      if (store == null) throw new IllegalArgumentException("store must not be null");
      if (keyGrace == null || keyGrace.isNegative() || keyGrace.isZero())
        throw new IllegalArgumentException("keyGrace must be positive");
      if (resource == null) throw new IllegalArgumentException("resource must not be null (use () -> {})");
    }

    /** Closes {@link #resource()}; a failure becomes a {@link StepgateException}. */
    @Override
    public void close() {
      try {
        resource.close();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new StepgateException("key-store-close-failed", 500, "interrupted while closing the key store", e);
      } catch (Exception e) {
        throw new StepgateException("key-store-close-failed", 500,
            "could not close the key store (" + e.getClass().getSimpleName() + ")", e);
      }
    }
  }

  private final StoreOpener opener;
  private final Clock clock;

  @Spec CommandSpec spec;

  /** For picocli's default factory; opens stores through {@link #openConfiguredStore}. */
  public KeysCommand() {
    this(KeysCommand::openConfiguredStore, Clock.systemUTC());
  }

  /** With an explicit store seam, e.g. {@code new CommandLine(new KeysCommand(opener, clock))}. */
  public KeysCommand(StoreOpener opener, Clock clock) {
    if (opener == null) throw new IllegalArgumentException("opener must not be null");
    if (clock == null) throw new IllegalArgumentException("clock must not be null");
    this.opener = opener;
    this.clock = clock;
  }

  /** Opens the configured store (defaults without {@code --config}) and reads the key grace. */
  static OpenedStore openConfiguredStore(Optional<Path> config) {
    var grace = config.map(c -> dev.stepgate.config.ConfigLoader.load(c).assertion().keyGrace())
        .orElse(dev.stepgate.config.ConfigLoader.DEFAULT_KEY_GRACE);
    var store = StoreCommand.openStore(AdminSettings.load(config));
    return new OpenedStore(store.signingKeys(), grace, store::close);
  }

  @Override
  public Integer call() {
    // `keys` alone names no action: show what there is, as for any bad argument.
    spec.commandLine().usage(spec.commandLine().getErr());
    return 2;
  }

  /** Opens the store, runs {@code action}, and maps failures to one line on stderr and an exit code. */
  private int withKeys(Optional<Path> config, String command, KeysAction action) {
    var err = spec.commandLine().getErr();
    OpenedStore opened;
    try {
      opened = opener.open(config);
    } catch (ConfigException e) {
      var problems = e.problems();
      err.println("stepgate " + command + ": " + (problems.isEmpty() ? e.getMessage() : problems.get(0))
          + (problems.size() > 1 ? " (and " + (problems.size() - 1) + " more)" : ""));
      return 2;
    } catch (StepgateException e) {
      err.println("stepgate " + command + ": " + e.getMessage());
      return 2;
    }
    try {
      var keys = Async.join(SigningKeys.load(opened.store(), clock, opened.keyGrace()));
      action.run(keys, spec.commandLine().getOut());
      return 0;
    } catch (StepgateException e) {
      err.println("stepgate " + command + ": " + e.getMessage());
      return 1;
    } finally {
      try {
        opened.close();
      } catch (StepgateException e) {
        // The work is done (or already failed); report the close failure without a stack trace.
        err.println("stepgate " + command + ": " + e.getMessage());
      }
    }
  }

  @FunctionalInterface
  private interface KeysAction {
    void run(SigningKeys keys, PrintWriter out);
  }

  /** {@code --config FILE}, shared by the subcommands. */
  static final class ConfigOption {
    @Option(names = "--config", paramLabel = "FILE", description = "Config file (default: the standard one).")
    Optional<Path> config = Optional.empty();
  }

  /** {@code keys rotate}: a new current key; the old one stays published for the grace period. */
  @Command(name = "rotate", mixinStandardHelpOptions = true,
      description = "Make a new signing key current; the old one stays in the JWKS for assertion.key_grace.")
  static final class Rotate implements Callable<Integer> {
    @ParentCommand KeysCommand parent;
    @Mixin ConfigOption options;

    @Override
    public Integer call() {
      return parent.withKeys(options.config, "keys rotate", (keys, out) -> {
        var rotation = Async.join(keys.rotate());
        var dropped = Async.join(keys.dropExpired());
        out.println("new signing key: " + rotation.newKid());
        for (var old : rotation.retiredKids()) {
          out.println("previous key " + old + " stays published until " + rotation.retiredPublishedUntil()
              + " (" + Durations.format(keys.grace()) + " grace)");
        }
        if (dropped > 0) out.println("dropped " + dropped + " key(s) past their grace");
        out.println("running gateways sign with the new key after their next key reload");
      });
    }
  }

  /** {@code keys list}: the published keys, current first. */
  @Command(name = "list", mixinStandardHelpOptions = true, description = "List the published signing keys.")
  static final class ListKeys implements Callable<Integer> {
    @ParentCommand KeysCommand parent;
    @Mixin ConfigOption options;

    @Override
    public Integer call() {
      return parent.withKeys(options.config, "keys list", (keys, out) -> {
        var current = keys.currentKid();
        out.printf("%-43s  %-8s  %-24s  %s%n", "KID", "STATUS", "CREATED", "PUBLISHED UNTIL");
        for (var k : keys.keys()) {
          var status = k.kid().equals(current) ? "current" : k.retiredAt().isPresent() ? "retired" : "active";
          out.printf("%-43s  %-8s  %-24s  %s%n", k.kid(), status, k.createdAt(),
              k.publishedUntil().map(Object::toString).orElse("-"));
        }
      });
    }
  }

  /** Durations as operators write them in config: {@code 24h}, {@code 90m}, {@code 45s}. */
  static final class Durations {
    private Durations() {}

    static String format(Duration d) {
      var s = d.toSeconds();
      if (s % 3600 == 0) return s / 3600 + "h";
      if (s % 60 == 0) return s / 60 + "m";
      return s + "s";
    }
  }
}
