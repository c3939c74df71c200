package dev.stepgate.admin;

import static dev.stepgate.Async.join;

import dev.stepgate.GroupNames;
import dev.stepgate.audit.AuditEntry;
import dev.stepgate.credential.Storage;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code stepgate users list}, {@code users disable USERNAME}, {@code users enable USERNAME},
 * {@code users add-group USERNAME GROUP} and {@code users remove-group USERNAME GROUP}.
 */
@Command(name = "users", mixinStandardHelpOptions = true, description = "Manage users.",
    subcommands = {UsersCommand.ListUsers.class, UsersCommand.Disable.class, UsersCommand.Enable.class,
        UsersCommand.AddGroup.class, UsersCommand.RemoveGroup.class})
public final class UsersCommand implements java.util.concurrent.Callable<Integer> {
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getErr());
    return StoreCommand.USAGE;
  }

  /**
   * One line per user: username, id, created, number of passkeys, enabled or disabled, groups
   * (comma-separated, {@code -} for none); tab-separated.
   */
  @Command(name = "list", mixinStandardHelpOptions = true,
      description = "List users: username, id, created, passkeys, enabled/disabled, groups.")
  public static final class ListUsers extends StoreCommand {
    public ListUsers() {}

    ListUsers(Function<Optional<Path>, AdminSettings> settings) {
      super(settings);
    }

    @Override
    int run(AdminSettings settings, Storage store, PrintWriter out, PrintWriter err) {
      for (var u : join(store.users().all())) {
        var groups = join(store.users().groups(u.id()));
        out.println(u.username() + "\t" + u.id() + "\t" + u.createdAt() + "\t"
            + join(store.passkeys().ofUser(u.id())).size() + " passkeys\t" + (u.disabled() ? "disabled" : "enabled")
            + "\t" + (groups.isEmpty() ? "-" : String.join(",", groups)));
      }
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

  /** Shared by add-group and remove-group: one user, one group. */
  abstract static class ChangeGroup extends StoreCommand {
    @Parameters(index = "0", paramLabel = "USERNAME") String username;
    @Parameters(index = "1", paramLabel = "GROUP") String group;

    private final boolean add;

    ChangeGroup(boolean add) {
      this.add = add;
    }

    ChangeGroup(boolean add, Function<Optional<Path>, AdminSettings> settings) {
      super(settings);
      this.add = add;
    }

    @Override
    final int run(AdminSettings settings, Storage store, PrintWriter out, PrintWriter err) {
      var name = username(username, err);
      if (name.isEmpty()) return USAGE;
      var bad = GroupNames.problem(group);
      if (bad.isPresent()) {
        err.println("stepgate: invalid group name: " + bad.get());
        return USAGE;
      }
      var u = user(store, name.get(), err);
      if (u.isEmpty()) return FAILED;
      // The change appends a groups entry to the revocation record in the same transaction:
      // every running gateway on this store uses the new groups within a second; no session ends.
      boolean changed = join(add ? store.users().addGroup(u.get().id(), group) : store.users().removeGroup(u.get().id(), group));
      if (!changed) {
        out.println(u.get().username() + (add ? " is already in " : " is not in ") + group);
        out.flush();
        return OK;
      }
      join(store.audit().record(add ? "user-group-added" : "user-group-removed", Optional.of(u.get().id()),
          "group=" + group + " by=cli"));
      audit().emit(AuditEntry.of("admin_action").user(u.get().id()).with("action", add ? "users.add-group" : "users.remove-group")
          .with("target", u.get().username()).with("group", group));
      out.println((add ? "added " + u.get().username() + " to " : "removed " + u.get().username() + " from ") + group);
      out.flush();
      return OK;
    }
  }

  /** Adds USERNAME to GROUP, for {@code allow: { groups: [...] }} rules and the assertion's {@code groups} claim. */
  @Command(name = "add-group", mixinStandardHelpOptions = true,
      description = "Add USERNAME to GROUP; running gateways use it within a second.")
  public static final class AddGroup extends ChangeGroup {
    public AddGroup() {
      super(true);
    }

    AddGroup(Function<Optional<Path>, AdminSettings> settings) {
      super(true, settings);
    }
  }

  /** Removes USERNAME from GROUP; their sessions stay signed in. */
  @Command(name = "remove-group", mixinStandardHelpOptions = true,
      description = "Remove USERNAME from GROUP; running gateways drop it within a second (no sign-out).")
  public static final class RemoveGroup extends ChangeGroup {
    public RemoveGroup() {
      super(false);
    }

    RemoveGroup(Function<Optional<Path>, AdminSettings> settings) {
      super(false, settings);
    }
  }
}
