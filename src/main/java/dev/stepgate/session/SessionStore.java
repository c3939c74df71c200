package dev.stepgate.session;

import dev.stepgate.credential.CredentialId;
import dev.stepgate.revocation.Revocation;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * Server-side sessions. Implementations enforce the idle timeout and the absolute lifetime:
 * {@link #find} never returns an expired session.
 */
public interface SessionStore {

  /** Stores a new session. */
  void create(Session session);

  /** The live session with this id, refreshing its idle timer. */
  Optional<Session> find(String id);

  /**
   * Atomically replaces the session with {@code change.apply(current)}; empty when it no longer
   * exists. Used to record and to consume step-ups without races.
   */
  Optional<Session> update(String id, UnaryOperator<Session> change);

  /** Moves a session to a new id (the old id stops working at once). */
  Optional<Session> rotate(String oldId, String newId);

  /** Ends a session. */
  void delete(String id);

  /** Ends every session of a user. */
  void deleteUser(String userId);

  /**
   * Ends every session of {@code userId} that signed in with, or stepped up with, a revoked
   * passkey. Sessions keep the canonical spelling ({@link CredentialId#base64url()}), so whatever
   * spelling the revoker typed, the same sessions end.
   */
  void deleteCredential(String userId, CredentialId credentialId);

  /**
   * Ends the sessions {@code revocation} names: subscribe this to the revocation bus. Safe to
   * call from any thread, more than once for the same revocation.
   */
  default void honour(Revocation revocation) {
    if (revocation instanceof Revocation.CredentialRevoked c) deleteCredential(c.userId(), c.credentialId());
    else if (revocation instanceof Revocation.UserSessionsEnded u) deleteUser(u.userId());
  }
}
