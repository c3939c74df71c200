package dev.stepgate.admin;

import static dev.stepgate.Async.join;

import dev.stepgate.credential.CredentialException;
import dev.stepgate.credential.CredentialId;
import dev.stepgate.credential.PasskeyStore;
import dev.stepgate.credential.Storage;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code stepgate credentials list USERNAME}, {@code credentials revoke USERNAME CREDENTIAL_ID}
 * and {@code credentials rename USERNAME CREDENTIAL_ID LABEL}.
 */
@Command(name = "credentials", mixinStandardHelpOptions = true, description = "List, revoke or rename a user's passkeys.",
    subcommands = {CredentialsCommand.ListCredentials.class, CredentialsCommand.Revoke.class, CredentialsCommand.Rename.class})
public final class CredentialsCommand implements java.util.concurrent.Callable<Integer> {
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getErr());
    return StoreCommand.USAGE;
  }

  /** The id as given, parsed; empty after a one-line reason on {@code err} (exit {@link StoreCommand#USAGE}). */
  static Optional<CredentialId> credentialId(String raw, PrintWriter err) {
    try {
      return Optional.of(CredentialId.parse(raw));
    } catch (CredentialException e) {
      err.println("stepgate: CREDENTIAL_ID: " + e.getMessage());
      return Optional.empty();
    }
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
      var name = username(username, err);
      if (name.isEmpty()) return USAGE;
      var u = user(store, name.get(), err);
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
      var name = username(username, err);
      var parsed = credentialId(credentialId, err);
      if (name.isEmpty() || parsed.isEmpty()) return USAGE;
      var id = parsed.get();
      var u = user(store, name.get(), err);
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
      adminAction("credentials.revoke", u.get().username(), u.get().id());
      out.println("revoked " + id);
      out.flush();
      return OK;
    }
  }

  /** Gives one of USERNAME's passkeys a new name (the account page and {@code credentials list} show it). */
  @Command(name = "rename", mixinStandardHelpOptions = true, description = "Rename one of USERNAME's passkeys.")
  public static final class Rename extends StoreCommand {
    @Parameters(index = "0", paramLabel = "USERNAME") String username;
    @Parameters(index = "1", paramLabel = "CREDENTIAL_ID", description = "As shown by 'credentials list'; "
        + "an id that starts with - goes after --.") String credentialId;
    @Parameters(index = "2", paramLabel = "LABEL", description = "1 to " + PasskeyStore.MAX_LABEL
        + " characters; no control characters, < or >.") String label;

    public Rename() {}

    Rename(Function<Optional<Path>, AdminSettings> settings) {
      super(settings);
    }

    @Override
    int run(AdminSettings settings, Storage store, PrintWriter out, PrintWriter err) {
      var name = username(username, err);
      var parsed = credentialId(credentialId, err);
      if (name.isEmpty() || parsed.isEmpty()) return USAGE;
      String checked;
      try {
        checked = PasskeyStore.checkedLabel(label);
      } catch (CredentialException e) {
        err.println("stepgate: LABEL: " + e.getMessage());
        return USAGE;
      }
      var id = parsed.get();
      var u = user(store, name.get(), err);
      if (u.isEmpty()) return FAILED;
      if (!join(store.passkeys().rename(u.get().id(), id.bytes(), checked))) {
        err.println("stepgate: " + u.get().username() + " has no passkey " + id);
        return FAILED;
      }
      join(store.audit().record("credential-renamed", Optional.of(u.get().id()), "credential=" + id + " by=cli"));
      adminAction("credentials.rename", u.get().username(), u.get().id());
      out.println("renamed " + id);
      out.flush();
      return OK;
    }
  }
}
