package dev.stepgate.session;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.stepgate.credential.CredentialId;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Sessions in this process ({@code sessions.driver: memory}): bounded, idle entries expire after
 * {@code idleTimeout}, and no session outlives {@code maxLifetime} from its creation. Every stage
 * is already complete when returned, so {@link #findNow} and {@link #find} see the same state. A
 * per-user index of session ids makes revocation cost the user's sessions, not the process's.
 */
public final class MemorySessionStore implements SessionStore {
  private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);

  private final Cache<String, Session> sessions;
  /** Each user's session ids; a set is changed only inside {@code byUser.compute} for its key. */
  private final ConcurrentHashMap<String, Set<String>> byUser = new ConcurrentHashMap<>();
  private final Clock clock;
  private final Duration maxLifetime;

  public MemorySessionStore(Duration idleTimeout, Duration maxLifetime, long maxSessions, Clock clock) {
    if (idleTimeout.isNegative() || idleTimeout.isZero()) throw new IllegalArgumentException("idle timeout must be positive");
    if (maxSessions <= 0) throw new IllegalArgumentException("max sessions must be positive");
    this.clock = clock;
    this.maxLifetime = maxLifetime;
    this.sessions = Caffeine.newBuilder()
        .maximumSize(maxSessions)
        .expireAfterAccess(idleTimeout)
        .ticker(ticker(clock))
        // Read on every signed-in request: upkeep runs inline, amortized, instead of being handed
        // to the common ForkJoin pool every few reads (a cross-thread wake-up on the event loop).
        // Inline too, the removal listener keeps the index exact when a removal returns.
        .executor(Runnable::run)
        .<String, Session>removalListener((id, s, cause) -> {
          if (s != null && cause != RemovalCause.REPLACED) unindex(s.userId(), id);
        })
        .build();
  }

  public MemorySessionStore(Duration idleTimeout, Duration maxLifetime) {
    this(idleTimeout, maxLifetime, 1_000_000, Clock.systemUTC());
  }

  @Override
  public CompletionStage<Void> create(Session session) {
    index(session.userId(), session.id()); // indexed before visible: a revocation in between still finds it
    sessions.put(session.id(), session);
    return DONE;
  }

  @Override
  public CompletionStage<Optional<Session>> find(String id) {
    return CompletableFuture.completedFuture(findNow(id));
  }

  @Override
  public Optional<Session> findNow(String id) {
    if (id == null) return Optional.empty();
    var s = sessions.getIfPresent(id);
    if (s == null) return Optional.empty();
    if (expired(s)) {
      sessions.invalidate(id);
      return Optional.empty();
    }
    var now = clock.instant();
    if (now.isBefore(s.lastSeenAt().plus(LAST_SEEN_STEP))) return Optional.of(s);
    // At most once a step: marked on the entry as it is now (a step-up spent meanwhile stays spent).
    var seen = sessions.asMap().computeIfPresent(id, (k, current) -> current.seenAt(now));
    return Optional.ofNullable(seen);
  }

  @Override
  public CompletionStage<Optional<Session>> rotateAndRecordStepUp(String oldId, String newId, Session.StepUpRecord stepUp) {
    if (oldId == null || newId == null || stepUp == null) return CompletableFuture.completedFuture(Optional.empty());
    var old = sessions.asMap().remove(oldId);
    if (old == null || expired(old)) return CompletableFuture.completedFuture(Optional.empty());
    var moved = old.withId(newId).withStepUp(stepUp);
    index(moved.userId(), newId);
    sessions.put(newId, moved);
    return CompletableFuture.completedFuture(Optional.of(moved));
  }

  @Override
  public CompletionStage<Optional<Session>> consumeStepUp(String id, String forRule, Instant notBefore) {
    if (id == null || forRule == null || notBefore == null) return CompletableFuture.completedFuture(Optional.empty());
    var won = new Session[1];
    // computeIfPresent runs once per key at a time: the check and the mark are one step.
    sessions.asMap().computeIfPresent(id, (k, s) -> {
      if (expired(s)) return null;
      var u = s.stepUp().orElse(null);
      if (u == null || u.consumed() || !u.forRule().equals(Optional.of(forRule)) || u.at().isBefore(notBefore)) return s;
      won[0] = s.withStepUp(u.consume());
      return won[0];
    });
    return CompletableFuture.completedFuture(Optional.ofNullable(won[0]));
  }

  @Override
  public CompletionStage<Void> end(String id) {
    if (id != null) sessions.invalidate(id);
    return DONE;
  }

  @Override
  public CompletionStage<List<SessionSummary>> ofUser(String userId) {
    var live = new java.util.ArrayList<SessionSummary>();
    for (var id : idsOf(userId)) {
      // Quietly: listing the sessions is not using them, their idle timers go on.
      var s = sessions.policy().getIfPresentQuietly(id);
      if (s != null && s.userId().equals(userId) && !expired(s)) live.add(SessionSummary.of(s));
    }
    live.sort(java.util.Comparator.comparing(SessionSummary::signedInAt).thenComparing(SessionSummary::handle));
    return CompletableFuture.completedFuture(List.copyOf(live));
  }

  @Override
  public CompletionStage<Boolean> endByHandle(String userId, String handle) {
    if (handle == null) return CompletableFuture.completedFuture(false);
    for (var id : idsOf(userId)) {
      if (!SessionIds.handle(id).equals(handle)) continue;
      var ended = new boolean[1];
      sessions.asMap().computeIfPresent(id, (k, s) -> {
        if (!s.userId().equals(userId)) return s;
        ended[0] = !expired(s);
        return null;
      });
      return CompletableFuture.completedFuture(ended[0]);
    }
    return CompletableFuture.completedFuture(false);
  }

  @Override
  public CompletionStage<Void> endOthersOf(String userId, String keepId) {
    for (var id : idsOf(userId)) if (!id.equals(keepId)) sessions.invalidate(id);
    return DONE;
  }

  @Override
  public CompletionStage<Void> endSessionsOf(String userId) {
    for (var id : idsOf(userId)) sessions.invalidate(id);
    return DONE;
  }

  @Override
  public CompletionStage<Void> endSessionsOfCredential(String userId, CredentialId credentialId) {
    var cred = credentialId.base64url();
    for (var id : idsOf(userId)) {
      sessions.asMap().computeIfPresent(id, (k, s) -> s.userId().equals(userId) && (cred.equals(s.credentialId())
          || s.stepUp().map(u -> cred.equals(u.credentialId())).orElse(false)) ? null : s);
    }
    return DONE;
  }

  @Override
  public java.util.OptionalLong activeNow() {
    return java.util.OptionalLong.of(sessions.estimatedSize());
  }

  /** How many sessions the index holds for {@code userId} (tests: the index stays exact). */
  int indexedSessionsOf(String userId) {
    return idsOf(userId).size();
  }

  private List<String> idsOf(String userId) {
    if (userId == null) return List.of();
    var ids = new String[1][];
    byUser.computeIfPresent(userId, (k, set) -> {
      ids[0] = set.toArray(String[]::new);
      return set;
    });
    return ids[0] == null ? List.of() : List.of(ids[0]);
  }

  private void index(String userId, String id) {
    byUser.compute(userId, (k, set) -> {
      var s = set == null ? new java.util.HashSet<String>(4) : set;
      s.add(id);
      return s;
    });
  }

  private void unindex(String userId, String id) {
    byUser.computeIfPresent(userId, (k, set) -> {
      set.remove(id);
      return set.isEmpty() ? null : set;
    });
  }

  private boolean expired(Session s) {
    return !clock.instant().isBefore(s.createdAt().plus(maxLifetime));
  }

  static Ticker ticker(Clock clock) {
    return () -> clock.millis() * 1_000_000L;
  }
}
