package dev.stepgate.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
  protected RateCounter counter() {
    return redis.node(Clock.systemUTC()).counters();
  }

  @Test
  void twoNodes_countTheSameWindow() throws Exception {
    var a = counter();
    var b = counter();
    assertEquals(2, await(a.hit("user:ann", Duration.ofMinutes(1), 3)).remaining());
    assertEquals(1, await(b.hit("user:ann", Duration.ofMinutes(1), 3)).remaining());
    assertEquals(false, await(b.hit("user:ann", Duration.ofMinutes(1), 2)).allowed());
  }
}
