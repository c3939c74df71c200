package dev.stepgate.postgres;

import static dev.stepgate.Async.join;
import static org.junit.jupiter.api.Assertions.*;

import dev.stepgate.Async;
import dev.stepgate.credential.CredentialException;
import dev.stepgate.credential.Storage;
import dev.stepgate.credential.User;
import dev.stepgate.testing.PostgresServer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Postgres going away under traffic: every call fails closed with {@code storage-unavailable}
 * within the store's bound (none hangs), and once the server is back the same store serves again
 * by itself. Each test has its own server, since it stops it.
 */
class PostgresOutageTest {
  /** The store's per-call bound plus scheduling slack on a busy two-core machine. */
  static final long BOUND_MS = PostgresStore.QUERY_TIMEOUT.toMillis() + 1_500;
  /** How long a call may take before the test calls it a hang. */
  static final long HANG_MS = 15_000;

  PostgresServer server;
  PostgresStore store;
  Storage storage;

  @BeforeEach
  void start() {
    server = PostgresServer.start();
    store = PostgresStore.open(server.newDatabase());
    storage = store.storage();
    join(storage.users().create(new User("dXNlci0x", "alice", "Alice", Instant.parse("2026-01-01T00:00:00Z"))));
  }

  @AfterEach
  void stop() {
    try {
      if (store != null) store.close();
    } finally {
      if (server != null) server.close();
    }
  }

  /** One finished call: when it started, how long it took, how it failed (null: it succeeded). */
  record Call(long startedNanos, long millis, Throwable failure) {}

  /** Callers that read and write through the store until stopped, recording every call. */
  final class Traffic implements AutoCloseable {
    final AtomicBoolean running = new AtomicBoolean(true);
    final ConcurrentLinkedQueue<Call> calls = new ConcurrentLinkedQueue<>();
    final List<Thread> threads = new ArrayList<>();

    Traffic(int callers) {
      for (int i = 0; i < callers; i++) {
        int n = i;
        var t = new Thread(() -> {
          long k = 0;
          while (running.get()) {
            long t0 = System.nanoTime();
            Throwable failure = null;
            try {
              var stage = (k++ + n) % 2 == 0 ? storage.users().byUsername("alice")
                  : storage.audit().record("outage-test", Optional.empty(), "call " + k);
              stage.toCompletableFuture().get(HANG_MS, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
              failure = new AssertionError("a call hung for " + HANG_MS + " ms");
            } catch (Exception e) {
              failure = Async.cause(e);
            }
            calls.add(new Call(t0, (System.nanoTime() - t0) / 1_000_000, failure));
            sleep(20);
          }
        }, "outage-traffic-" + i);
        t.start();
        threads.add(t);
      }
    }

    List<Call> since(long nanos) {
      return calls.stream().filter(c -> c.startedNanos() >= nanos).toList();
    }

    @Override
    public void close() throws InterruptedException {
      running.set(false);
      for (var t : threads) t.join(HANG_MS + 5_000);
    }
  }

  @Test
  void serverStoppedMidTraffic_callsFailUnavailableInTime_andTheSameStoreRecoversAfterRestart() throws Exception {
    try (var traffic = new Traffic(4)) {
      sleep(500);
      assertTrue(traffic.calls.stream().allMatch(c -> c.failure() == null), "healthy before the outage");

      long down = System.nanoTime();
      server.stop();
      sleep(4_000);
      var during = traffic.since(down);
      assertOutage(during);

      long up = System.nanoTime();
      server.startAgain();
      long recoveredAfter = waitForSuccessSince(traffic, up);
      sleep(1_000);
      long settled = System.nanoTime() - TimeUnit.MILLISECONDS.toNanos(700);
      var after = traffic.since(settled);
      assertFalse(after.isEmpty());
      assertTrue(after.stream().allMatch(c -> c.failure() == null), "every call succeeds once the server is back: " + failures(after));
      System.out.println("outage: " + during.size() + " calls, slowest " + slowest(during) + " ms; recovered "
          + recoveredAfter + " ms after the restart");
    }
  }

  @Test
  void serverHung_callsFailUnavailableInTime_andRecoverWhenItResumes() throws Exception {
    try (var traffic = new Traffic(4)) {
      sleep(500);
      long hung = System.nanoTime();
      server.signal("STOP");
      try {
        sleep(5_000);
      } finally {
        server.signal("CONT");
      }
      long resumed = System.nanoTime();
      var during = traffic.calls.stream().filter(c -> c.startedNanos() >= hung && c.startedNanos() < resumed
          - TimeUnit.MILLISECONDS.toNanos(BOUND_MS)).toList();
      assertOutage(during);
      long recoveredAfter = waitForSuccessSince(traffic, resumed);
      System.out.println("hung server: " + during.size() + " calls, slowest " + slowest(during) + " ms; recovered "
          + recoveredAfter + " ms after it resumed");
    }
  }

  private static void assertOutage(List<Call> during) {
    assertFalse(during.isEmpty(), "calls were made during the outage");
    for (var c : during) {
      assertTrue(c.millis() <= BOUND_MS, "a call took " + c.millis() + " ms, over the bound of " + BOUND_MS + " ms");
      if (c.failure() != null) {
        var e = assertInstanceOf(CredentialException.class, c.failure(), "fails closed as the port documents");
        assertEquals("storage-unavailable", e.type());
        assertEquals(503, e.status());
      }
    }
    assertTrue(during.stream().anyMatch(c -> c.failure() != null), "calls failed while the server was away");
  }

  /** Milliseconds from {@code nanos} until a call started after it succeeded; fails after 20 s. */
  private static long waitForSuccessSince(Traffic traffic, long nanos) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (System.nanoTime() < deadline) {
      var ok = traffic.since(nanos).stream().filter(c -> c.failure() == null).findFirst();
      if (ok.isPresent()) return (ok.get().startedNanos() - nanos) / 1_000_000 + ok.get().millis();
      sleep(50);
    }
    throw new AssertionError("the store did not recover within 20 s: " + failures(traffic.since(nanos)));
  }

  private static long slowest(List<Call> calls) {
    return calls.stream().mapToLong(Call::millis).max().orElse(0);
  }

  private static String failures(List<Call> calls) {
    return calls.stream().filter(c -> c.failure() != null).map(c -> c.failure().toString()).distinct().limit(3).toList().toString();
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

}
