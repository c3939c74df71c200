package dev.stepgate.passkey;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * {@code sessions.driver: memory}: ceremonies in a bounded Caffeine cache that forgets them after
 * the ceremony TTL. Single node only; answers at once (completed stages). (Expiry is also checked against the ceremony's own {@code
 * expiresAt} by {@link PasskeyService}.)
 */
public final class MemoryCeremonyStore implements CeremonyStore {
  /** Default bound: enough for bursts, small enough that a flood of starts cannot exhaust memory. */
  public static final long DEFAULT_MAXIMUM_SIZE = 100_000;

  private final Cache<String, Ceremony> cache;

  public MemoryCeremonyStore(Duration ttl) {
    this(ttl, DEFAULT_MAXIMUM_SIZE);
  }

  public MemoryCeremonyStore(Duration ttl, long maximumSize) {
    if (ttl == null || ttl.isNegative() || ttl.isZero()) throw new IllegalArgumentException("ttl must be positive");
    if (maximumSize <= 0) throw new IllegalArgumentException("maximum size must be positive");
    this.cache = Caffeine.newBuilder().maximumSize(maximumSize).expireAfterWrite(ttl).build();
  }

  @Override
  public CompletionStage<Void> put(Ceremony ceremony) {
    if (cache.asMap().putIfAbsent(ceremony.id(), ceremony) != null)
      return CompletableFuture.failedFuture(new IllegalStateException("ceremony id collision"));
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public CompletionStage<Optional<Ceremony>> take(String id) {
    return CompletableFuture.completedFuture(id == null ? Optional.empty() : Optional.ofNullable(cache.asMap().remove(id)));
  }
}
