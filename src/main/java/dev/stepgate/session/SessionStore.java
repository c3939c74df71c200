package dev.stepgate.session;

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

  /** Ends every session that signed in with, or stepped up with, a revoked passkey. */
  void deleteCredential(String userId, String credentialId);
}
