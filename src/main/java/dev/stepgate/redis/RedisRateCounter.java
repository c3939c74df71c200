package dev.stepgate.redis;

import dev.stepgate.ratelimit.Rate;
import dev.stepgate.ratelimit.RateCounter;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * {@link RateCounter} shared by every node: GCRA in one script per hit (read the TAT, decide,
 * move it on, expire it when it is past), so the count is exact across nodes. The time is the
 * calling node's clock (nodes agree on time within far less than an emission interval, as their
 * sessions already need). Keys are hashed (bounded length; client addresses and usernames do not
 * show in a dump).
 */
final class RedisRateCounter implements RateCounter {
  /**
   * KEYS: the TAT. ARGV: now ms, emission interval ms, tolerance ms, 1 to count the hit (0 to peek).
   * Returns {allowed 0|1, remaining, retry-after ms}. Arithmetic as RateCounter.step.
   */
  private static final Script HIT = Script.of("rate-gcra", """
      local now = tonumber(ARGV[1])
      local interval = tonumber(ARGV[2])
      local tolerance = tonumber(ARGV[3])
      local tat = tonumber(redis.call('GET', KEYS[1]) or now)
      if tat < now then tat = now end
      local nxt = tat + interval
      local ahead = nxt - now
      if ahead > tolerance then return {0, 0, ahead - tolerance} end
      if ARGV[4] == '1' then redis.call('SET', KEYS[1], nxt, 'PX', ahead) end
      return {1, math.floor((tolerance - ahead) / interval), 0}
      """);

  private final RedisLink link;
  private final Clock clock;

  RedisRateCounter(RedisLink link, Clock clock) {
    this.link = link;
    this.clock = clock;
  }

  @Override
  public CompletionStage<Hit> hit(String key, Rate rate) {
    return run(key, rate, true);
  }

  @Override
  public CompletionStage<Hit> peek(String key, Rate rate) {
    return run(key, rate, false);
  }

  private CompletionStage<Hit> run(String key, Rate rate, boolean count) {
    RateCounter.check(key, rate);
    long interval = rate.intervalMillis();
    return link.eval(HIT, List.of(Keys.COUNTER + Keys.hash(key)),
            List.of(clock.millis(), interval, interval * rate.burst(), count ? 1 : 0))
        .thenApply(r -> new Hit(r.get(0).toLong() == 1, r.get(1).toInteger(), Duration.ofMillis(r.get(2).toLong())));
  }
}
