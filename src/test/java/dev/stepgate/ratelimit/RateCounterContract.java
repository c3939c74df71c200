package dev.stepgate.ratelimit;

import dev.stepgate.testing.TestClock;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** What every {@link RateCounter} backend must do (memory and Redis), on a clock the test moves. */
public abstract class RateCounterContract {
  /** 60 a minute (one back every second), 3 at once. */
  static final Rate RATE = new Rate(60, Duration.ofMinutes(1), 3);

  /** A fresh, empty counter reading {@code clock}. */
  protected abstract RateCounter counter(Clock clock);

  protected static <T> T await(CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void hit_allowsTheBurst_thenRefusesWithRetryAfter() throws Exception {
    var c = counter(new TestClock());
    assertEquals(2, await(c.hit("ip:1", RATE)).remaining());
    assertEquals(1, await(c.hit("ip:1", RATE)).remaining());
    var last = await(c.hit("ip:1", RATE));
    assertTrue(last.allowed());
    assertEquals(0, last.remaining());
    var refused = await(c.hit("ip:1", RATE));
    assertFalse(refused.allowed());
    assertEquals(0, refused.remaining());
    assertEquals(Duration.ofSeconds(1), refused.retryAfter());
  }

  @Test
  void hit_recoversOneHitPerInterval() throws Exception {
    var clock = new TestClock();
    var c = counter(clock);
    for (int i = 0; i < 3; i++) assertTrue(await(c.hit("k", RATE)).allowed());
    assertFalse(await(c.hit("k", RATE)).allowed());
    clock.advance(Duration.ofMillis(999));
    assertEquals(Duration.ofMillis(1), await(c.hit("k", RATE)).retryAfter());
    clock.advance(Duration.ofMillis(1));
    assertTrue(await(c.hit("k", RATE)).allowed());
    assertFalse(await(c.hit("k", RATE)).allowed());
    clock.advance(Duration.ofMinutes(5));
    assertEquals(2, await(c.hit("k", RATE)).remaining(), "a quiet spell gives the whole burst back");
  }

  @Test
  void hit_refusedHitsDoNotPushRecoveryAway() throws Exception {
    var clock = new TestClock();
    var c = counter(clock);
    for (int i = 0; i < 3; i++) await(c.hit("k", RATE));
    for (int i = 0; i < 100; i++) assertFalse(await(c.hit("k", RATE)).allowed());
    clock.advance(Duration.ofSeconds(1));
    assertTrue(await(c.hit("k", RATE)).allowed());
  }

  @Test
  void hit_keysAreCountedApart() throws Exception {
    var c = counter(new TestClock());
    var one = new Rate(1, Duration.ofMinutes(1), 1);
    assertTrue(await(c.hit("a", one)).allowed());
    assertFalse(await(c.hit("a", one)).allowed());
    assertTrue(await(c.hit("b", one)).allowed());
  }

  @Test
  void peek_answersAsAHitWouldWithoutCounting() throws Exception {
    var c = counter(new TestClock());
    for (int i = 0; i < 5; i++) assertEquals(2, await(c.peek("k", RATE)).remaining());
    for (int i = 0; i < 3; i++) await(c.hit("k", RATE));
    var locked = await(c.peek("k", RATE));
    assertFalse(locked.allowed());
    assertEquals(Duration.ofSeconds(1), locked.retryAfter());
  }

  @Test
  void hit_fiftyAtOnce_allowsExactlyTheBurst() throws Exception {
    var c = counter(new TestClock());
    var rate = new Rate(10, Duration.ofHours(1), 10);
    var pool = Executors.newFixedThreadPool(16);
    try {
      var go = new CountDownLatch(1);
      var allowed = new AtomicInteger();
      var tasks = new ArrayList<java.util.concurrent.Future<?>>();
      for (int i = 0; i < 50; i++) tasks.add(pool.submit(() -> {
        go.await();
        if (await(c.hit("burst", rate)).allowed()) allowed.incrementAndGet();
        return null;
      }));
      go.countDown();
      for (var t : tasks) t.get(10, TimeUnit.SECONDS);
      assertEquals(10, allowed.get());
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void hit_badArguments_areRefusedAtOnce() {
    var c = counter(new TestClock());
    assertEquals("key must not be null",
        assertThrows(IllegalArgumentException.class, () -> c.hit(null, RATE)).getMessage());
    assertEquals("rate must not be null",
        assertThrows(IllegalArgumentException.class, () -> c.hit("k", null)).getMessage());
    assertEquals("count must be at least 1",
        assertThrows(IllegalArgumentException.class, () -> new Rate(0, Duration.ofSeconds(1), 1)).getMessage());
    assertEquals("period must be positive",
        assertThrows(IllegalArgumentException.class, () -> new Rate(1, Duration.ZERO, 1)).getMessage());
    assertEquals("burst must be at least 1",
        assertThrows(IllegalArgumentException.class, () -> new Rate(1, Duration.ofSeconds(1), 0)).getMessage());
  }
}
