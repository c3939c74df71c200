package dev.stepgate.redis;

import dev.stepgate.ratelimit.RateCounter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * {@link RateCounter} shared by every node: one script ({@code INCR}, and {@code PEXPIRE} on a
 * window's first hit) per hit, so counts are exact across nodes and a window always ends. Keys are
 * hashed (bounded length; client addresses and usernames do not show in a dump).
 */
final class RedisRateCounter implements RateCounter {
  /** KEYS: counter. ARGV: window ms. Returns {count, ms left}. */
  private static final Script HIT = Script.of("rate-hit", """
      local n = redis.call('INCR', KEYS[1])
      local left = redis.call('PTTL', KEYS[1])
      if n == 1 or left < 0 then
        redis.call('PEXPIRE', KEYS[1], ARGV[1])
        left = tonumber(ARGV[1])
      end
      return {n, left}
      """);

  private final RedisLink link;

  RedisRateCounter(RedisLink link) {
    this.link = link;
  }

  @Override
  public CompletionStage<Hit> hit(String key, Duration window, int limit) {
    RateCounter.check(key, window, limit);
    return link.eval(HIT, List.of(Keys.COUNTER + Keys.hash(key)), List.of(window.toMillis()))
        .thenApply(r -> RateCounter.hitFor(r.get(0).toLong(), limit, Duration.ofMillis(r.get(1).toLong())));
  }
}
