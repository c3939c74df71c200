package dev.stepgate.admin;

import static dev.stepgate.Async.join;

import dev.stepgate.credential.CredentialException;
import dev.stepgate.credential.CredentialId;
import dev.stepgate.credential.Storage;
import dev.stepgate.credential.User;
import dev.stepgate.credential.Usernames;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code stepgate credentials list USERNAME} and {@code credentials revoke USERNAME CREDENTIAL_ID}. */
@Command(name = "credentials", mixinStandardHelpOptions = true, description = "List or revoke a user's passkeys.",
    subcommands = {CredentialsCommand.ListCredentials.class, CredentialsCommand.Revoke.class})
public final class CredentialsCommand implements java.util.concurrent.Callable<Integer> {
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getErr());
    return StoreCommand.USAGE;
  }

  static Optional<User> user(Storage store, String username, PrintWriter err) {
    String name;
    try {
      name = Usernames.normalize(username);
    } catch (IllegalArgumentException e) {
      err.println("stepgate: invalid username: " + e.getMessage());
      return Optional.empty();
    }
    var u = join(store.users().byUsername(name));
    if (u.isEmpty()) err.println("stepgate: no such user: " + name);
    return u;
  }

  /** One line per passkey: id, label, created, last used, device-bound or synced (tab-separated). */
  @Command(name = "list", mixinStandardHelpOptions = true, description = "List USERNAME's passkeys.")
  public static final class ListCredentials extends StoreCommand {
    @Parameters(index = "0", paramLabel = "USERNAME") String username;

    public ListCredentials() {}

    ListCredentials(Function<Optional<Path>, AdminSettings> settings) {
      super(settings);
    }

    @Override
    int run(AdminSettings settings, Storage store, PrintWriter out, PrintWriter err) {
      var u = user(store, username, err);
      if (u.isEmpty()) return FAILED;
      for (var c : join(store.passkeys().ofUser(u.get().id())))
        out.println(c.credentialIdBase64() + "\t" + c.label() + "\t" + c.createdAt() + "\t"
            + c.lastUsedAt().map(Object::toString).orElse("never") + "\t" + (c.backupEligible() ? "synced" : "device-bound"));
      out.flush();
      return OK;
    }
  }

  /**
   * Deletes one passkey (its id in any base64 spelling); every running gateway on this store ends
   * its sessions within a second (SPEC section 1).
   */
  @Command(name = "revoke", mixinStandardHelpOptions = true, description = "Revoke one of USERNAME's passkeys.")
  public static final class Revoke extends StoreCommand {
    @Parameters(index = "0", paramLabel = "USERNAME") String username;
    @Parameters(index = "1", paramLabel = "CREDENTIAL_ID", description = "As shown by 'credentials list' (base64url or base64, padding optional). "
        + "An id that starts with - goes after --, e.g. revoke alice -- -Xq3...") String credentialId;

    public Revoke() {}

    Revoke(Function<Optional<Path>, AdminSettings> settings) {
      super(settings);
    }

    @Override
    int run(AdminSettings settings, Storage store, PrintWriter out, PrintWriter err) {
      CredentialId id;
      try {
        id = CredentialId.parse(credentialId);
      } catch (CredentialException e) {
        err.println("stepgate: CREDENTIAL_ID: " + e.getMessage());
        return USAGE;
      }
      var u = user(store, username, err);
      if (u.isEmpty()) return FAILED;
      // The store appends the revocation to its change record in the same transaction; running
      // gateways read it and end the passkey's sessions within a second.
      if (!join(store.passkeys().revoke(u.get().id(), id.bytes()))) {
        err.println("stepgate: " + u.get().username() + " has no passkey " + id);
        return FAILED;
      }
      join(store.audit().record("credential-revoked", Optional.of(u.get().id()), "credential=" + id + " by=cli"));
      audit().emit(dev.stepgate.audit.AuditEntry.of("passkey_revoked").user(u.get().id()).with("credential", id.base64url())
          .with("by", "cli"));
      audit().emit(dev.stepgate.audit.AuditEntry.of("admin_action").user(u.get().id()).with("action", "credentials revoke")
          .with("credential", id.base64url()));
      out.println("revoked " + id);
      out.flush();
      return OK;
    }
  }
}
