package dev.stepgate.credential;

import dev.stepgate.identity.SigningKeyStore;

/**
 * Every port of one credential-storage backend, opened together: what {@code storage.driver}
 * names. Only the wiring ({@code server}) builds one; features take the ports they need.
 *
 * @param resource releases the backend (connections, its executor) when closed
 */
public record Storage(UserStore users, PasskeyStore passkeys, InviteStore invites, AuditLog audit,
    RevocationLog revocations, SigningKeyStore signingKeys, AutoCloseable resource) implements AutoCloseable {
  public Storage {
    if (users == null || passkeys == null || invites == null || audit == null || revocations == null
        || signingKeys == null || resource == null)
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
