package dev.stepgate.redis;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.stepgate.session.Session;
import java.time.Duration;
import java.util.Collection;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

/**
 * What this node saw of sessions lately, keyed by the hashed session key, for the relay's
 * synchronous look-up. Three bounds keep it honest: entries live at most {@code ttl} after they
 * were filled (the upper bound should an invalidation be lost), every invalidation and flush
 * counts as a new <em>epoch</em> so that a read that raced with one is not cached, and nothing is
 * served or filled while the pub/sub connection is not {@code live} (invalidations would be lost).
 */
final class NearCache {
  private final Cache<String, Session> entries;
  private final AtomicLong epoch = new AtomicLong();
  private final BooleanSupplier live;

  NearCache(Duration ttl, long maximumSize, BooleanSupplier live) {
    if (ttl.isNegative() || ttl.isZero()) throw new IllegalArgumentException("near cache ttl must be positive");
    if (maximumSize <= 0) throw new IllegalArgumentException("near cache size must be positive");
    this.entries = Caffeine.newBuilder().expireAfterWrite(ttl).maximumSize(maximumSize).executor(Runnable::run).build();
    this.live = live;
  }

  /** The epoch to pass to {@link #fill}: read it before asking Redis. */
  long epoch() {
    return epoch.get();
  }

  /** Caches {@code session} read at {@code since}, unless an invalidation came in between. */
  void fill(String key, Session session, long since) {
    if (!live.getAsBoolean() || epoch.get() != since) return;
    entries.put(key, session);
    // An invalidation between the check and the put must still win: look again.
    if (epoch.get() != since || !live.getAsBoolean()) entries.invalidate(key);
  }

  Optional<Session> get(String key) {
    if (!live.getAsBoolean()) return Optional.empty();
    return Optional.ofNullable(entries.getIfPresent(key));
  }

  void invalidate(String key) {
    epoch.incrementAndGet();
    entries.invalidate(key);
  }

  void invalidateAll(Collection<String> keys) {
    epoch.incrementAndGet();
    entries.invalidateAll(keys);
  }

  /** Drops every entry of {@code userId} (a revocation reached this node). */
  void invalidateUser(String userId) {
    epoch.incrementAndGet();
    entries.asMap().values().removeIf(s -> s.userId().equals(userId));
  }

  void flush() {
    epoch.incrementAndGet();
    entries.invalidateAll();
  }

  long size() {
    entries.cleanUp();
    return entries.estimatedSize();
  }
}
