package dev.stepgate.admin;

import static dev.stepgate.Async.join;

import dev.stepgate.credential.Storage;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Function;
import picocli.CommandLine.Command;

/** {@code stepgate users list}. */
@Command(name = "users", mixinStandardHelpOptions = true, description = "Manage users.",
    subcommands = UsersCommand.ListUsers.class)
public final class UsersCommand implements java.util.concurrent.Callable<Integer> {
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getErr());
    return StoreCommand.USAGE;
  }

  /** One line per user: username, id, created, number of passkeys (tab-separated). */
  @Command(name = "list", mixinStandardHelpOptions = true, description = "List users: username, id, created, passkeys.")
  public static final class ListUsers extends StoreCommand {
    public ListUsers() {}

    ListUsers(Function<Optional<Path>, AdminSettings> settings) {
      super(settings);
    }

    @Override
    int run(AdminSettings settings, Storage store, PrintWriter out, PrintWriter err) {
      for (var u : join(store.users().all()))
        out.println(u.username() + "\t" + u.id() + "\t" + u.createdAt() + "\t"
            + join(store.passkeys().ofUser(u.id())).size() + " passkeys");
      out.flush();
      return OK;
    }
  }
}
