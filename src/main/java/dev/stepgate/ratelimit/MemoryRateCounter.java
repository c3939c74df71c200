package dev.stepgate.ratelimit;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import java.time.Clock;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * {@link RateCounter} in this process ({@code sessions.driver: memory}): a bounded Caffeine cache
 * of TATs, each forgotten once it is in the past (a key with no TAT and a key whose TAT has passed
 * answer alike). Past {@code maximumKeys} the least recently used keys are dropped, which can only
 * be in a caller's favour, so the bound is set far above any real population. Answers at once.
 */
public final class MemoryRateCounter implements RateCounter {
  /** Default bound on the keys counted at once (about 100 bytes each). */
  public static final long DEFAULT_MAXIMUM_KEYS = 200_000;

  private final Cache<String, Long> tats;
  private final Clock clock;

  public MemoryRateCounter(long maximumKeys, Clock clock) {
    if (maximumKeys <= 0) throw new IllegalArgumentException("maximum keys must be positive");
    this.clock = clock;
    this.tats = Caffeine.newBuilder().maximumSize(maximumKeys).executor(Runnable::run)
        .ticker(() -> clock.millis() * 1_000_000L)
        .expireAfter(new Expiry<String, Long>() {
          @Override
          public long expireAfterCreate(String key, Long tat, long now) {
            return Math.max(0, tat * 1_000_000L - now);
          }

          @Override
          public long expireAfterUpdate(String key, Long tat, long now, long current) {
            return Math.max(0, tat * 1_000_000L - now);
          }

          @Override
          public long expireAfterRead(String key, Long tat, long now, long current) {
            return current;
          }
        })
        .build();
  }

  public MemoryRateCounter(Clock clock) {
    this(DEFAULT_MAXIMUM_KEYS, clock);
  }

  @Override
  public CompletionStage<Hit> hit(String key, Rate rate) {
    RateCounter.check(key, rate);
    long now = clock.millis();
    var answer = new Hit[1];
    // compute runs once per key at a time: reading and moving the TAT are one step.
    tats.asMap().compute(key, (k, old) -> {
      var step = RateCounter.step(old == null || old <= now ? null : old, now, rate);
      answer[0] = step.hit();
      return step.tat();
    });
    return CompletableFuture.completedFuture(answer[0]);
  }

  @Override
  public CompletionStage<Hit> peek(String key, Rate rate) {
    RateCounter.check(key, rate);
    long now = clock.millis();
    var old = tats.getIfPresent(key);
    return CompletableFuture.completedFuture(RateCounter.step(old == null || old <= now ? null : old, now, rate).hit());
  }
}
