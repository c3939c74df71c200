package dev.stepgate.credential;

import dev.stepgate.identity.SigningKeyStore;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Users, their passkeys, enrollment invites, the audit log and the signing keys: everything the
 * gateway must keep. One implementation per {@code storage.driver}. Every method blocks (JDBC):
 * call from worker threads only. Failures of the store itself raise {@link CredentialException}
 * of type {@code storage-unavailable} (503), so callers fail closed.
 */
public interface CredentialStore extends SigningKeyStore, RevocationLog, AutoCloseable {

  /**
   * Creates a user. The username must be normalized already ({@link Usernames#normalize}).
   *
   * @throws CredentialException {@code username-taken} (409) if it exists
   */
  void createUser(User user);

  /** The user with this normalized username. */
  Optional<User> findUserByUsername(String username);

  /** The user with this id. */
  Optional<User> findUserById(String userId);

  /** All users, by username. */
  List<User> listUsers();

  /**
   * Adds a credential to an existing user, atomically refusing a credential id that exists for
   * any user (WebAuthn L3 §7.1 step 26: never re-bind a credential to another account).
   *
   * @throws CredentialException {@code credential-exists} (409)
   */
  void addCredential(StoredCredential credential);

  /**
   * Applies a finished registration in one transaction: creates {@code newUser} if present,
   * consumes the invite if present (it must be unexpired at {@code now}, unused, and for that
   * user's username), adds the credential. Nothing is written if any step fails.
   *
   * @throws CredentialException {@code username-taken}, {@code invite-invalid} or {@code
   *     credential-exists}
   */
  void enroll(Enrollment enrollment, Instant now);

  /** The credential with this id. */
  Optional<StoredCredential> findCredential(byte[] credentialId);

  /** The user's credentials, oldest first. */
  List<StoredCredential> listCredentials(String userId);

  /**
   * Records a successful assertion (WebAuthn L3 §7.2 steps 21-23) if, at the moment of writing,
   * the stored counter is still below {@code signCount} (or both are zero). This compare-and-set
   * keeps two concurrent logins with one cloned counter from both succeeding.
   *
   * @return false if the stored counter had moved on (the caller treats it as a regression) or
   *     the credential is gone
   */
  boolean recordAssertion(byte[] credentialId, long signCount, boolean backupState, boolean userVerified, Instant at);

  /**
   * Deletes one of the user's credentials and, in the same transaction, appends the revocation to
   * the {@link RevocationLog}, so that every running gateway ends the sessions made with it.
   *
   * @return false if the user has no credential with that id (nothing is appended)
   */
  boolean revokeCredential(String userId, byte[] credentialId);

  /**
   * Stores an invite by the SHA-256 hash of its token (the token itself is never stored).
   *
   * @param username normalized username the invite is for
   */
  void createInvite(byte[] tokenHash, String username, Instant expiresAt);

  /**
   * The username an unused invite with this token hash is for, if it has not expired at {@code
   * now}. Does not consume it.
   */
  Optional<String> findInvite(byte[] tokenHash, Instant now);

  /**
   * Consumes an invite atomically: succeeds once, for an unexpired invite for {@code username}.
   *
   * @return false if unknown, used, expired or for another username
   */
  boolean consumeInvite(byte[] tokenHash, String username, Instant now);

  /** Appends an audit event. {@code detail} must not contain secrets. */
  void recordEvent(String kind, Optional<String> userId, String detail);

  /** The newest audit events first, at most {@code limit}. */
  List<AuditEvent> recentEvents(int limit);

  /** Releases the store's resources. */
  @Override
  void close();
}
