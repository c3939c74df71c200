package dev.stepgate.admin;

import static dev.stepgate.Async.join;

import dev.stepgate.credential.Storage;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code stepgate users list}, {@code users disable USERNAME} and {@code users enable USERNAME}. */
@Command(name = "users", mixinStandardHelpOptions = true, description = "Manage users.",
    subcommands = {UsersCommand.ListUsers.class, UsersCommand.Disable.class, UsersCommand.Enable.class})
public final class UsersCommand implements java.util.concurrent.Callable<Integer> {
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getErr());
    return StoreCommand.USAGE;
  }

  /** One line per user: username, id, created, number of passkeys, enabled or disabled (tab-separated). */
  @Command(name = "list", mixinStandardHelpOptions = true,
      description = "List users: username, id, created, passkeys, enabled/disabled.")
  public static final class ListUsers extends StoreCommand {
    public ListUsers() {}

    ListUsers(Function<Optional<Path>, AdminSettings> settings) {
      super(settings);
    }

    @Override
    int run(AdminSettings settings, Storage store, PrintWriter out, PrintWriter err) {
      for (var u : join(store.users().all()))
        out.println(u.username() + "\t" + u.id() + "\t" + u.createdAt() + "\t"
            + join(store.passkeys().ofUser(u.id())).size() + " passkeys\t" + (u.disabled() ? "disabled" : "enabled"));
      out.flush();
      return OK;
    }
  }

  /** Shared by disable and enable: one user, one flag. */
  abstract static class SetDisabled extends StoreCommand {
    @Parameters(index = "0", paramLabel = "USERNAME") String username;

    private final boolean disabled;

    SetDisabled(boolean disabled) {
      this.disabled = disabled;
    }

    SetDisabled(boolean disabled, Function<Optional<Path>, AdminSettings> settings) {
      super(settings);
      this.disabled = disabled;
    }

    @Override
    final int run(AdminSettings settings, Storage store, PrintWriter out, PrintWriter err) {
      var name = username(username, err);
      if (name.isEmpty()) return USAGE;
      var u = user(store, name.get(), err);
      if (u.isEmpty()) return FAILED;
      // Disabling appends a user-wide entry to the revocation record in the same transaction:
      // every running gateway on this store ends the user's sessions within a second.
      if (!join(store.users().setDisabled(u.get().id(), disabled))) {
        err.println("stepgate: no such user: " + name.get());
        return FAILED;
      }
      join(store.audit().record(disabled ? "user-disabled" : "user-enabled", Optional.of(u.get().id()), "by=cli"));
      adminAction(disabled ? "users.disable" : "users.enable", u.get().username(), u.get().id());
      out.println((disabled ? "disabled " : "enabled ") + u.get().username());
      out.flush();
      return OK;
    }
  }

  /** A disabled user cannot sign in, step up or add a passkey; their sessions end on every gateway within a second. */
  @Command(name = "disable", mixinStandardHelpOptions = true,
      description = "Disable USERNAME: no sign-in, step-up or new passkey; their sessions end within a second.")
  public static final class Disable extends SetDisabled {
    public Disable() {
      super(true);
    }

    Disable(Function<Optional<Path>, AdminSettings> settings) {
      super(true, settings);
    }
  }

  /** Lets a disabled user sign in again; sessions that ended stay ended. */
  @Command(name = "enable", mixinStandardHelpOptions = true, description = "Enable USERNAME again: they can sign in.")
  public static final class Enable extends SetDisabled {
    public Enable() {
      super(false);
    }

    Enable(Function<Optional<Path>, AdminSettings> settings) {
      super(false, settings);
    }
  }
}
