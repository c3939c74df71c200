package dev.stepgate.ratelimit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** What every {@link RateCounter} backend must do (memory and Redis); on the real clock. */
public abstract class RateCounterContract {
  /** A fresh, empty counter. */
  protected abstract RateCounter counter();

  protected static <T> T await(CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void hit_countsDownToTheLimit_thenRefusesWithRetryAfter() throws Exception {
    var c = counter();
    var window = Duration.ofMinutes(1);
    assertEquals(2, await(c.hit("ip:1", window, 3)).remaining());
    assertEquals(1, await(c.hit("ip:1", window, 3)).remaining());
    var last = await(c.hit("ip:1", window, 3));
    assertTrue(last.allowed());
    assertEquals(0, last.remaining());
    var refused = await(c.hit("ip:1", window, 3));
    assertFalse(refused.allowed());
    assertEquals(0, refused.remaining());
    assertTrue(refused.retryAfter().compareTo(Duration.ZERO) > 0 && refused.retryAfter().compareTo(window) <= 0,
        refused.retryAfter().toString());
  }

  @Test
  void hit_keysAreCountedApart() throws Exception {
    var c = counter();
    assertFalse(await(c.hit("a", Duration.ofMinutes(1), 1)).remaining() > 0);
    assertFalse(await(c.hit("a", Duration.ofMinutes(1), 1)).allowed());
    assertTrue(await(c.hit("b", Duration.ofMinutes(1), 1)).allowed());
  }

  @Test
  void hit_afterTheWindowEnds_countsAfresh() throws Exception {
    var c = counter();
    var window = Duration.ofMillis(300);
    assertTrue(await(c.hit("w", window, 1)).allowed());
    assertFalse(await(c.hit("w", window, 1)).allowed());
    Thread.sleep(400);
    assertTrue(await(c.hit("w", window, 1)).allowed());
  }

  @Test
  void hit_fiftyAtOnce_allowsExactlyTheLimit() throws Exception {
    var c = counter();
    var pool = Executors.newFixedThreadPool(16);
    try {
      var go = new CountDownLatch(1);
      var allowed = new AtomicInteger();
      var tasks = new ArrayList<java.util.concurrent.Future<?>>();
      for (int i = 0; i < 50; i++) tasks.add(pool.submit(() -> {
        go.await();
        if (await(c.hit("burst", Duration.ofMinutes(1), 10)).allowed()) allowed.incrementAndGet();
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
    var c = counter();
    assertEquals("limit must be at least 1",
        assertThrows(IllegalArgumentException.class, () -> c.hit("k", Duration.ofSeconds(1), 0)).getMessage());
    assertEquals("window must be positive",
        assertThrows(IllegalArgumentException.class, () -> c.hit("k", Duration.ZERO, 1)).getMessage());
    assertEquals("key must not be null",
        assertThrows(IllegalArgumentException.class, () -> c.hit(null, Duration.ofSeconds(1), 1)).getMessage());
  }
}
