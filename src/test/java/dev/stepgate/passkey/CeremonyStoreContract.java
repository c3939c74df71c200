package dev.stepgate.passkey;

import static dev.stepgate.Async.join;
import static org.junit.jupiter.api.Assertions.*;

import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** What every {@link CeremonyStore} backend must do (memory and Redis). Each backend's test extends this. */
public abstract class CeremonyStoreContract {
  /** A fresh, empty store. */
  protected abstract CeremonyStore newStore();

  static Ceremony ceremony(String id) {
    return new Ceremony(id, Ceremony.Kind.LOGIN, "Y2hhbGxlbmdl", Optional.empty(), Optional.empty(), Optional.empty(),
        false, Optional.empty(), Optional.empty(), true, Instant.parse("2030-01-01T00:00:00Z"));
  }

  @Test
  void take_returnsTheCeremonyOnce() {
    var s = newStore();
    join(s.put(ceremony("a")));
    assertEquals("a", join(s.take("a")).orElseThrow().id());
    assertEquals(Optional.empty(), join(s.take("a")));
  }

  @Test
  void take_unknownOrNullId_isEmpty() {
    var s = newStore();
    assertEquals(Optional.empty(), join(s.take("nope")));
    assertEquals(Optional.empty(), join(s.take(null)));
  }

  @Test
  void put_sameIdTwice_isRefused() {
    var s = newStore();
    join(s.put(ceremony("a")));
    assertThrows(IllegalStateException.class, () -> join(s.put(ceremony("a"))));
    assertEquals("a", join(s.take("a")).orElseThrow().id(), "the first one is kept");
  }

  @Test
  void take_twentyConcurrentCallers_exactlyOneWins() throws Exception {
    var s = newStore();
    for (int round = 0; round < 50; round++) {
      var id = "c" + round;
      join(s.put(ceremony(id)));
      var wins = new AtomicInteger();
      var go = new CountDownLatch(1);
      var threads = new Thread[20];
      for (int i = 0; i < threads.length; i++) {
        threads[i] = new Thread(() -> {
          try {
            go.await();
          } catch (InterruptedException e) {
            return;
          }
          if (join(s.take(id)).isPresent()) wins.incrementAndGet();
        });
        threads[i].start();
      }
      go.countDown();
      for (var t : threads) t.join(10_000);
      assertEquals(1, wins.get(), "round " + round);
    }
  }
}
