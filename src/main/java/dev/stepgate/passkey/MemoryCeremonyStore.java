package dev.stepgate.passkey;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;
import java.util.Optional;

/**
 * {@code sessions.driver: memory}: ceremonies in a bounded Caffeine cache that forgets them after
 * the ceremony TTL. Single node only. (Expiry is also checked against the ceremony's own {@code
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
  public void put(Ceremony ceremony) {
    if (cache.asMap().putIfAbsent(ceremony.id(), ceremony) != null)
      throw new IllegalStateException("ceremony id collision");
  }

  @Override
  public Optional<Ceremony> take(String id) {
    return id == null ? Optional.empty() : Optional.ofNullable(cache.asMap().remove(id));
  }
}
