package dev.stepgate.stepup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The memory backend runs the contract; here too, the bytes it counts stay exact. */
class MemoryHeldRequestStoreTest extends HeldRequestStoreContract {
  @Override
  protected HeldRequestStore store(int perSession, long maxBytes) {
    return new MemoryHeldRequestStore(perSession, maxBytes);
  }

  @Test
  void bytesInUse_countsReservedAndHeldRequests_andGivesThemBack() throws Exception {
    long budget = size(0) * 2 + 1000;
    var store = new MemoryHeldRequestStore(10, budget);
    var a = await(store.reserve(ALICE, size(0))).orElseThrow();
    assertTrue(a.grow(500));
    var b = await(store.reserve(BOB, size(0))).orElseThrow();
    assertTrue(b.grow(500));
    assertFalse(b.grow(1));
    assertEquals(budget, store.bytesInUse());
    b.release();
    assertEquals(size(0) + 500, store.bytesInUse());
    var id = await(a.hold(request(ALICE, 500)));
    assertEquals(size(500), store.bytesInUse());
    await(store.rebindAll(ALICE, NEW));
    assertEquals(size(500), store.bytesInUse(), "a rebound request keeps its bytes");
    await(store.take(id, NEW));
    assertEquals(0, store.bytesInUse());
  }
}
