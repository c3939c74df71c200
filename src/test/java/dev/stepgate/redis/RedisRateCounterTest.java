package dev.stepgate.redis;

import dev.stepgate.testing.TestClock;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.stepgate.ratelimit.Rate;
import dev.stepgate.ratelimit.RateCounter;
import dev.stepgate.ratelimit.RateCounterContract;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The counter contract on a real Redis, and one count shared by two nodes. */
class RedisRateCounterTest extends RateCounterContract {
  static RedisNodes redis;

  @BeforeAll
  static void startRedis() {
    redis = new RedisNodes();
  }

  @AfterAll
  static void stopRedis() {
    redis.close();
  }

  @AfterEach
  void reset() {
    redis.reset();
  }

  @Override
  protected RateCounter counter(Clock clock) {
    return redis.node(clock).counters();
  }

  @Test
  void twoNodes_countTheSameKey() throws Exception {
    var clock = new TestClock();
    var a = counter(clock);
    var b = counter(clock);
    var rate = new Rate(10, Duration.ofMinutes(1), 3);
    assertEquals(2, await(a.hit("user:ann", rate)).remaining());
    assertEquals(1, await(b.hit("user:ann", rate)).remaining());
    assertEquals(0, await(a.hit("user:ann", rate)).remaining());
    assertEquals(false, await(b.hit("user:ann", rate)).allowed());
  }
}
