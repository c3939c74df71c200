package dev.stepgate.passkey;

import static org.junit.jupiter.api.Assertions.*;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class MemoryCeremonyStoreTest {
  static Ceremony ceremony(String id) {
    return new Ceremony(id, Ceremony.Kind.LOGIN, "Y2hhbGxlbmdl", Optional.empty(), Optional.empty(), Optional.empty(),
        false, Optional.empty(), Optional.empty(), true, Instant.parse("2030-01-01T00:00:00Z"));
  }

  @Test
  void take_returnsTheCeremonyOnce() {
    var s = new MemoryCeremonyStore(Duration.ofMinutes(5));
    s.put(ceremony("a"));
    assertEquals("a", s.take("a").orElseThrow().id());
    assertEquals(Optional.empty(), s.take("a"));
  }

  @Test
  void take_unknownOrNullId_isEmpty() {
    var s = new MemoryCeremonyStore(Duration.ofMinutes(5));
    assertEquals(Optional.empty(), s.take("nope"));
    assertEquals(Optional.empty(), s.take(null));
  }

  @Test
  void put_sameIdTwice_isRefused() {
    var s = new MemoryCeremonyStore(Duration.ofMinutes(5));
    s.put(ceremony("a"));
    assertThrows(IllegalStateException.class, () -> s.put(ceremony("a")));
  }

  @Test
  void constructor_nonPositiveTtl_isRefused() {
    var e = assertThrows(IllegalArgumentException.class, () -> new MemoryCeremonyStore(Duration.ZERO));
    assertEquals("ttl must be positive", e.getMessage());
  }

  @Test
  void take_concurrentCallers_onlyOneWins() throws Exception {
    var s = new MemoryCeremonyStore(Duration.ofMinutes(5));
    for (int round = 0; round < 200; round++) {
      var id = "c" + round;
      s.put(ceremony(id));
      var wins = new java.util.concurrent.atomic.AtomicInteger();
      var threads = new Thread[4];
      for (int i = 0; i < threads.length; i++) {
        threads[i] = new Thread(() -> s.take(id).ifPresent(c -> wins.incrementAndGet()));
        threads[i].start();
      }
      for (var t : threads) t.join();
      assertEquals(1, wins.get());
    }
  }
}
