package dev.stepgate.ratelimit;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * {@link RateCounter} in this process ({@code sessions.driver: memory}): a bounded cache of
 * windows, each forgotten when it ends. Past {@code maximumKeys} the least recently used windows
 * are dropped, which can only be in a caller's favour for keys idle that long. Answers at once.
 */
public final class MemoryRateCounter implements RateCounter {
  /** Default bound on the keys counted at once. */
  public static final long DEFAULT_MAXIMUM_KEYS = 100_000;

  private record Window(long count, long endsAtMillis) {}

  private final Cache<String, Window> windows;
  private final Clock clock;

  public MemoryRateCounter(long maximumKeys, Clock clock) {
    if (maximumKeys <= 0) throw new IllegalArgumentException("maximum keys must be positive");
    this.clock = clock;
    this.windows = Caffeine.newBuilder().maximumSize(maximumKeys).executor(Runnable::run)
        .ticker(() -> clock.millis() * 1_000_000L)
        .expireAfter(new Expiry<String, Window>() {
          @Override
          public long expireAfterCreate(String key, Window w, long now) {
            return Math.max(0, w.endsAtMillis() * 1_000_000L - now);
          }

          @Override
          public long expireAfterUpdate(String key, Window w, long now, long current) {
            return Math.max(0, w.endsAtMillis() * 1_000_000L - now);
          }

          @Override
          public long expireAfterRead(String key, Window w, long now, long current) {
            return current;
          }
        })
        .build();
  }

  public MemoryRateCounter() {
    this(DEFAULT_MAXIMUM_KEYS, Clock.systemUTC());
  }

  @Override
  public CompletionStage<Hit> hit(String key, Duration window, int limit) {
    RateCounter.check(key, window, limit);
    long now = clock.millis();
    // compute runs once per key at a time: the count and the window's start are one step.
    var w = windows.asMap().compute(key, (k, old) -> old == null || old.endsAtMillis() <= now
        ? new Window(1, now + window.toMillis()) : new Window(old.count() + 1, old.endsAtMillis()));
    return CompletableFuture.completedFuture(RateCounter.hitFor(w.count(), limit, Duration.ofMillis(w.endsAtMillis() - now)));
  }
}
