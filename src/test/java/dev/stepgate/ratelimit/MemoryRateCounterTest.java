package dev.stepgate.ratelimit;

import dev.stepgate.testing.TestClock;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class MemoryRateCounterTest extends RateCounterContract {
  @Override
  protected RateCounter counter(Clock clock) {
    return new MemoryRateCounter(clock);
  }

  @Test
  void hit_pastTheKeyBound_forgetsTheLeastRecentKeysOnly() throws Exception {
    var clock = new TestClock();
    var c = new MemoryRateCounter(100, clock);
    var one = new Rate(1, Duration.ofHours(1), 1);
    // 10 000 addresses each spend their one hit: memory stays bounded by the 100 keys.
    for (int i = 0; i < 10_000; i++) await(c.hit("ip:" + i, one));
    assertTrue(await(c.hit("ip:0", one)).allowed(), "an evicted key starts afresh");
  }
}
