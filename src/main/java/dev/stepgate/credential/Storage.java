package dev.stepgate.credential;

import dev.stepgate.identity.SigningKeyStore;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * Every port of one credential-storage backend, opened together: what {@code storage.driver}
 * names. Only the wiring ({@code server}) builds one; features take the ports they need.
 *
 * @param ping one cheap round trip through the backend the ports use (its executor and
 *     connection, or its pool and server): completes when it answered, fails with {@code
 *     storage-unavailable} when it could not; readiness runs it every second
 * @param resource releases the backend (connections, its executor) when closed
 */
public record Storage(UserStore users, PasskeyStore passkeys, InviteStore invites, AuditLog audit,
    RevocationLog revocations, SigningKeyStore signingKeys, InstallSecrets secrets, RecoveryStore recovery, Supplier<CompletionStage<Void>> ping,
    AutoCloseable resource) implements AutoCloseable {
  public Storage {
    if (users == null || passkeys == null || invites == null || audit == null || revocations == null
        || signingKeys == null || secrets == null || recovery == null || ping == null || resource == null)
      throw new IllegalArgumentException("every port of a storage backend must be given");
  }

  /** Closes the backend; a failure is a {@link CredentialException} ({@code storage-unavailable}). */
  @Override
  public void close() {
    try {
      resource.close();
    } catch (CredentialException e) {
      throw e;
    } catch (Exception e) {
      throw CredentialException.unavailable(e);
    }
  }
}
