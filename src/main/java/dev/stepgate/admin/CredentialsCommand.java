package dev.stepgate.admin;

import dev.stepgate.credential.CredentialStore;
import dev.stepgate.credential.User;
import dev.stepgate.credential.Usernames;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Base64;
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

  static Optional<User> user(CredentialStore store, String username, PrintWriter err) {
    String name;
    try {
      name = Usernames.normalize(username);
    } catch (IllegalArgumentException e) {
      err.println("stepgate: invalid username: " + e.getMessage());
      return Optional.empty();
    }
    var u = store.findUserByUsername(name);
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
    int run(AdminSettings settings, CredentialStore store, PrintWriter out, PrintWriter err) {
      var u = user(store, username, err);
      if (u.isEmpty()) return FAILED;
      for (var c : store.listCredentials(u.get().id()))
        out.println(c.credentialIdBase64() + "\t" + c.label() + "\t" + c.createdAt() + "\t"
            + c.lastUsedAt().map(Object::toString).orElse("never") + "\t" + (c.backupEligible() ? "synced" : "device-bound"));
      out.flush();
      return OK;
    }
  }

  /** Deletes one passkey; the user's sessions are not touched here (the gateway re-checks). */
  @Command(name = "revoke", mixinStandardHelpOptions = true, description = "Revoke one of USERNAME's passkeys.")
  public static final class Revoke extends StoreCommand {
    @Parameters(index = "0", paramLabel = "USERNAME") String username;
    @Parameters(index = "1", paramLabel = "CREDENTIAL_ID", description = "As shown by 'credentials list'.") String credentialId;

    public Revoke() {}

    Revoke(Function<Optional<Path>, AdminSettings> settings) {
      super(settings);
    }

    @Override
    int run(AdminSettings settings, CredentialStore store, PrintWriter out, PrintWriter err) {
      byte[] id;
      try {
        id = Base64.getUrlDecoder().decode(credentialId);
      } catch (IllegalArgumentException e) {
        err.println("stepgate: CREDENTIAL_ID is not base64url");
        return USAGE;
      }
      var u = user(store, username, err);
      if (u.isEmpty()) return FAILED;
      if (!store.revokeCredential(u.get().id(), id)) {
        err.println("stepgate: " + u.get().username() + " has no passkey " + credentialId);
        return FAILED;
      }
      store.recordEvent("credential-revoked", Optional.of(u.get().id()), "credential=" + credentialId + " by=cli");
      out.println("revoked " + credentialId);
      out.flush();
      return OK;
    }
  }
}
