package dev.stepgate.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.stepgate.StepgateException;
import dev.stepgate.session.MemorySessionStore;
import dev.stepgate.session.Session;
import dev.stepgate.session.SessionStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

class CountedSessionStoreTest {
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final StoreErrors errors = new StoreErrors(registry);

  private double sessionErrors() {
    return registry.find("stepgate.store.errors").tag("dependency", "sessions").counter().count();
  }

  /** A store whose every asynchronous call fails with {@code failure}. */
  private static SessionStore failing(Throwable failure) {
    return (SessionStore) Proxy.newProxyInstance(SessionStore.class.getClassLoader(), new Class<?>[] {SessionStore.class},
        (proxy, method, args) -> method.getReturnType() == CompletionStage.class ? CompletableFuture.failedFuture(failure)
            : method.getReturnType() == java.util.Optional.class ? java.util.Optional.empty() : null);
  }

  @Test
  void find_storeUnavailable_isCountedAndStillFails() {
    var store = new CountedSessionStore(failing(new StepgateException("unavailable", 503, "down")), errors);
    var stage = store.find("s1").toCompletableFuture();
    assertThrows(Exception.class, stage::join);
    store.end("s1");
    assertEquals(2, sessionErrors());
  }

  @Test
  void failuresThatAreNotTheStores_areNotCounted() {
    var store = new CountedSessionStore(failing(new StepgateException("invalid-request", 400, "bad")), errors);
    assertThrows(Exception.class, () -> store.find("s1").toCompletableFuture().join());
    assertEquals(0, sessionErrors());
  }

  @Test
  void answersPassThrough() {
    var memory = new MemorySessionStore(Duration.ofMinutes(5), Duration.ofHours(1));
    var store = new CountedSessionStore(memory, errors);
    var now = java.time.Instant.now();
    var s = new Session(dev.stepgate.session.SessionIds.next(), "u1", "alice", now, "cred", false, true, java.util.Optional.empty(), now);
    store.create(s).toCompletableFuture().join();
    assertEquals("alice", store.find(s.id()).toCompletableFuture().join().orElseThrow().username());
    assertEquals("alice", store.findNow(s.id()).orElseThrow().username());
    assertEquals(1, store.activeNow().getAsLong());
    assertEquals(0, sessionErrors());
  }
}
