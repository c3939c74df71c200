package dev.stepgate.session;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The memory backend runs the session contract; and its per-user index stays exact. */
class MemorySessionStoreTest extends SessionStoreContract {
  final dev.stepgate.testing.TestClock clock = new dev.stepgate.testing.TestClock(NOW);
  final MemorySessionStore store = new MemorySessionStore(Duration.ofMinutes(30), Duration.ofHours(12), 1000, clock);

  @Override
  protected void advance(Duration d) {
    clock.advance(d);
  }

  @Override
  protected SessionStore store() {
    return store;
  }

  @Test
  void index_followsCreateRotateAndEnd() throws Exception {
    var a = session("a", "u1", "c1", Optional.empty());
    await(store.create(a));
    await(store.rotateAndRecordStepUp(a.id(), "f".repeat(43), stepUp("r", NOW, "c1")));
    assertEquals(1, store.indexedSessionsOf("u1"));
    await(store.end("f".repeat(43)));
    assertEquals(0, store.indexedSessionsOf("u1"));
  }
}
