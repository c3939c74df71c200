package dev.stepgate.session;

import dev.stepgate.credential.CredentialId;
import dev.stepgate.revocation.Revocation;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * Server-side sessions, behind an asynchronous port: one backend per file (memory, Redis), each
 * running {@code SessionStoreContract}. Every change is one named atomic operation;
 * nothing hands the store a lambda. Implementations enforce the idle timeout and the absolute
 * lifetime: no operation ever returns an expired session. Stages never complete on a thread the
 * caller must not block, and they fail (never throw) when the backend is unreachable.
 */
public interface SessionStore {

  /**
   * How stale {@link Session#lastSeenAt} may be: a session found again within this long of when it
   * was last marked seen is not written again (a write per request would cost a shared store a
   * round trip's work on every request).
   */
  java.time.Duration LAST_SEEN_STEP = java.time.Duration.ofMinutes(1);

  /** Stores a new session. */
  CompletionStage<Void> create(Session session);

  /** The live session with this id, refreshing its idle timer; empty for null or unknown. */
  CompletionStage<Optional<Session>> find(String id);

  /**
   * What this node knows about session {@code id} right now, without waiting: the relay's hot
   * path. Empty when it does not know (a remote backend's near cache missed) as well as when there
   * is no such session; the caller then takes {@link #find}. Never blocks, never throws.
   */
  Optional<Session> findNow(String id);

  /**
   * Moves the session to {@code newId} and records {@code stepUp} on it, in one step: the old id
   * stops working at once, and nobody ever sees the new id without the step-up. Empty when the
   * old session no longer exists.
   */
  CompletionStage<Optional<Session>> rotateAndRecordStepUp(String oldId, String newId, Session.StepUpRecord stepUp);

  /**
   * Spends the session's step-up, compare-and-set: marks it consumed only if it is not consumed
   * yet, was made for {@code forRule}, and is dated no earlier than {@code notBefore}. Of any
   * number of concurrent callers for one step-up exactly one gets the session back; every other
   * gets empty. A retry after a lost race, a timeout or a failed stage never spends it twice.
   */
  CompletionStage<Optional<Session>> consumeStepUp(String id, String forRule, Instant notBefore);

  /** Ends one session; nothing for null or unknown. */
  CompletionStage<Void> end(String id);

  /**
   * The live sessions of {@code userId}, found through the per-user index (never a scan of all),
   * oldest sign-in first. Reading them does not refresh their idle timers.
   */
  CompletionStage<java.util.List<SessionSummary>> ofUser(String userId);

  /**
   * Ends the session of {@code userId} whose {@link SessionSummary#handle} is {@code handle}.
   *
   * @return false when that user has no such live session (another user's is never ended)
   */
  CompletionStage<Boolean> endByHandle(String userId, String handle);

  /** Ends every session of {@code userId} except {@code keepId} (the caller's own: "sign out everywhere else"). */
  CompletionStage<Void> endOthersOf(String userId, String keepId);

  /** Ends every session of {@code userId}, found through a per-user index (never a scan of all). */
  CompletionStage<Void> endSessionsOf(String userId);

  /**
   * Ends every session of {@code userId} that signed in with, or stepped up with, {@code
   * credentialId}. Sessions keep the canonical spelling ({@link CredentialId#base64url()}), so
   * whatever spelling the revoker typed, the same sessions end.
   */
  CompletionStage<Void> endSessionsOfCredential(String userId, CredentialId credentialId);

  /**
   * Ends the sessions {@code revocation} names: subscribe this to the revocation bus. Safe to
   * call from any thread, more than once for the same revocation. A change of groups ends none
   * (stores do not keep groups; they are attached at admission).
   */
  default CompletionStage<Void> honour(Revocation revocation) {
    if (revocation instanceof Revocation.CredentialRevoked c) return endSessionsOfCredential(c.userId(), c.credentialId());
    if (revocation instanceof Revocation.UserSessionsEnded u) return endSessionsOf(u.userId());
    return java.util.concurrent.CompletableFuture.completedFuture(null); // GroupsChanged: no session ends
  }

  /**
   * How many sessions this store holds now, when it can say without a round trip (the memory
   * store); empty for a shared store, whose own metrics count its keys. For the
   * {@code stepgate_sessions_active} gauge; expired sessions not yet swept may still count.
   */
  default java.util.OptionalLong activeNow() {
    return java.util.OptionalLong.empty();
  }
}
