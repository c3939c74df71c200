package dev.stepgate.credential;

import static org.junit.jupiter.api.Assertions.*;

import dev.stepgate.Async;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The embedded store's own executor: off the caller's thread, bounded, fail-closed when full or closed. */
class StoreExecutorTest {
  @Test
  void submit_runsOnTheStoresThreads_notTheCallers() {
    try (var executor = new StoreExecutor("stepgate-store", 2, 8)) {
      var ran = Async.join(executor.submit(Thread::currentThread));
      assertNotSame(Thread.currentThread(), ran);
      assertTrue(ran.getName().startsWith("stepgate-store-"), ran.getName());
      assertTrue(ran.isDaemon());
    }
  }

  @Test
  void submit_beyondTheQueue_failsAtOnceWithStorageUnavailable() throws Exception {
    try (var executor = new StoreExecutor("stepgate-store", 1, 1)) {
      var entered = new CountDownLatch(1);
      var release = new CountDownLatch(1);
      var running = executor.submit(() -> {
        entered.countDown();
        return release.await(10, TimeUnit.SECONDS);
      });
      assertTrue(entered.await(10, TimeUnit.SECONDS));
      var queued = executor.submit(() -> "queued");
      var refused = executor.submit(() -> "refused").toCompletableFuture();
      assertTrue(refused.isDone(), "a refusal does not wait");
      var e = assertThrows(CredentialException.class, () -> Async.join(refused));
      assertEquals("storage-unavailable", e.type());
      assertEquals(503, e.status());
      assertEquals("The credential store is unavailable.", e.getMessage());
      release.countDown();
      assertTrue(Async.join(running));
      assertEquals("queued", Async.join(queued));
    }
  }

  @Test
  void submit_afterClose_failsWithStorageUnavailable() {
    var executor = new StoreExecutor("stepgate-store", 1, 1);
    executor.close();
    var e = assertThrows(CredentialException.class, () -> Async.join(executor.submit(() -> "late")));
    assertEquals("storage-unavailable", e.type());
  }

  @Test
  void submit_failingWork_failsTheStageWithItsException() {
    try (var executor = new StoreExecutor("stepgate-store", 1, 1)) {
      var e = assertThrows(CredentialException.class, () -> Async.join(executor.submit(() -> {
        throw CredentialException.usernameTaken();
      })));
      assertEquals("username-taken", e.type());
    }
  }

  @Test
  void constructor_nonPositiveBounds_areRefused() {
    assertEquals("threads must be positive",
        assertThrows(IllegalArgumentException.class, () -> new StoreExecutor("x", 0, 1)).getMessage());
    assertEquals("queue capacity must be positive",
        assertThrows(IllegalArgumentException.class, () -> new StoreExecutor("x", 1, 0)).getMessage());
  }
}
