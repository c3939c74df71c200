package dev.stepgate.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

class LogThrottleTest {
  final List<String> lines = new ArrayList<>();
  final AtomicLong now = new AtomicLong(1_000);
  final Logger logger = Logger.getAnonymousLogger();
  final LogThrottle throttle;

  LogThrottleTest() {
    logger.setUseParentHandlers(false);
    logger.addHandler(new Handler() {
      @Override
      public void publish(LogRecord r) {
        lines.add(r.getMessage());
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    });
    throttle = new LogThrottle(logger, Duration.ofSeconds(10), now::get);
  }

  @Test
  void oneLinePerKeyPerWindow_thenSaysHowManyWereLeftOut() {
    assertTrue(throttle.log(Level.WARNING, "storage-unavailable", "a"));
    for (int i = 0; i < 500; i++) assertFalse(throttle.log(Level.WARNING, "storage-unavailable", "a"));
    assertTrue(throttle.log(Level.WARNING, "verification-busy", "b"), "another kind has its own window");
    now.addAndGet(Duration.ofSeconds(10).toNanos());
    assertTrue(throttle.log(Level.WARNING, "storage-unavailable", "a again"));
    assertEquals(List.of("a", "b", "a again (and 500 more like it since the last such line)"), lines);
  }

  @Test
  void manyThreadsAtOnce_stillOneLine() throws Exception {
    var threads = new ArrayList<Thread>();
    for (int t = 0; t < 16; t++) {
      var th = new Thread(() -> {
        for (int i = 0; i < 1000; i++) throttle.log(Level.WARNING, "unavailable", "x");
      });
      threads.add(th);
      th.start();
    }
    for (var th : threads) th.join();
    assertEquals(1, lines.size());
    now.addAndGet(Duration.ofSeconds(11).toNanos());
    throttle.log(Level.WARNING, "unavailable", "x");
    assertEquals("x (and 15999 more like it since the last such line)", lines.get(1));
  }
}
