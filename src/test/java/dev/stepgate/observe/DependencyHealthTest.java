package dev.stepgate.observe;

import dev.stepgate.testing.TestClock;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stepgate.StepgateException;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class DependencyHealthTest {
  final TestClock clock = new TestClock(Instant.parse("2026-12-03T06:00:00Z"));
  final AtomicReference<Supplier<CompletionStage<Void>>> answer =
      new AtomicReference<>(() -> CompletableFuture.completedFuture(null));
  final DependencyHealth health = new DependencyHealth("storage", "postgres", () -> answer.get().get(),
      Duration.ofMillis(200), clock);

  @Test
  void unknownUntilProbed_thenOk() throws Exception {
    assertEquals(DependencyHealth.State.UNKNOWN, health.last().state());
    assertEquals(0, health.up());
    assertEquals(DependencyHealth.State.OK, probe().state());
    assertEquals(1, health.up());
  }

  @Test
  void sinceIsWhenTheStateChanged_notTheLastProbe() throws Exception {
    probe();
    var upSince = health.last().since();
    clock.advance(Duration.ofSeconds(5));
    assertEquals(upSince, probe().since(), "still up: same since");
    answer.set(() -> CompletableFuture.failedFuture(new StepgateException("storage-unavailable", 503, "postgres://u:secret@h/db")));
    var down = probe();
    assertEquals(DependencyHealth.State.DOWN, down.state());
    assertEquals(clock.instant(), down.since());
    clock.advance(Duration.ofSeconds(3));
    assertEquals(down.since(), probe().since(), "still down: same since");
  }

  @Test
  void reasonNamesTheTypeAndCause_neverTheMessage() throws Exception {
    answer.set(() -> CompletableFuture.failedFuture(new StepgateException("storage-unavailable", 503,
        "cannot reach postgres://u:secret@h/db", new java.net.ConnectException("Connection refused: h/10.0.0.1:5432"))));
    var down = probe();
    assertEquals(Optional.of("storage-unavailable (ConnectException)"), down.reason());
    assertFalse(down.reason().get().contains("secret"));
    answer.set(() -> { throw new IllegalStateException("boom with a secret"); });
    assertEquals(Optional.of("IllegalStateException"), probe().reason(), "a ping that throws is down, not a crash");
  }

  @Test
  void aHangingPingIsDownAfterTheTimeout() throws Exception {
    answer.set(CompletableFuture::new); // never completes
    long start = System.nanoTime();
    var down = probe();
    long ms = (System.nanoTime() - start) / 1_000_000;
    assertEquals(DependencyHealth.State.DOWN, down.state());
    assertEquals(Optional.of("timeout"), down.reason());
    assertTrue(ms >= 150 && ms < 2_000, "bounded by the 200 ms timeout: " + ms + " ms");
    answer.set(() -> CompletableFuture.completedFuture(null));
    assertEquals(DependencyHealth.State.OK, probe().state(), "recovers on the next probe");
    assertEquals(Optional.empty(), health.last().reason());
  }

  DependencyHealth.Observation probe() throws Exception {
    return health.probe().toCompletableFuture().get(5, TimeUnit.SECONDS);
  }

}
