package dev.stepgate.session;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.stepgate.credential.CredentialId;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * Sessions in this process ({@code sessions.driver: memory}): bounded, idle entries expire after
 * {@code idleTimeout}, and no session outlives {@code maxLifetime} from its creation.
 */
public final class MemorySessionStore implements SessionStore {
  private final Cache<String, Session> sessions;
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
        .executor(Runnable::run)
        .build();
  }

  public MemorySessionStore(Duration idleTimeout, Duration maxLifetime) {
    this(idleTimeout, maxLifetime, 1_000_000, Clock.systemUTC());
  }

  @Override
  public void create(Session session) {
    sessions.put(session.id(), session);
  }

  @Override
  public Optional<Session> find(String id) {
    if (id == null) return Optional.empty();
    var s = sessions.getIfPresent(id);
    if (s == null) return Optional.empty();
    if (expired(s)) {
      sessions.invalidate(id);
      return Optional.empty();
    }
    return Optional.of(s);
  }

  @Override
  public Optional<Session> update(String id, UnaryOperator<Session> change) {
    var result = sessions.asMap().computeIfPresent(id, (k, s) -> expired(s) ? null : change.apply(s));
    return Optional.ofNullable(result);
  }

  @Override
  public Optional<Session> rotate(String oldId, String newId) {
    var old = sessions.asMap().remove(oldId);
    if (old == null || expired(old)) return Optional.empty();
    var moved = old.withId(newId);
    sessions.put(newId, moved);
    return Optional.of(moved);
  }

  @Override
  public void delete(String id) {
    if (id != null) sessions.invalidate(id);
  }

  @Override
  public void deleteUser(String userId) {
    sessions.asMap().values().removeIf(s -> s.userId().equals(userId));
  }

  @Override
  public void deleteCredential(String userId, CredentialId credentialId) {
    var id = credentialId.base64url();
    sessions.asMap().values().removeIf(s -> s.userId().equals(userId)
        && (id.equals(s.credentialId()) || s.stepUp().map(u -> id.equals(u.credentialId())).orElse(false)));
  }

  private boolean expired(Session s) {
    return !clock.instant().isBefore(s.createdAt().plus(maxLifetime));
  }

  static Ticker ticker(Clock clock) {
    return () -> clock.millis() * 1_000_000L;
  }
}
