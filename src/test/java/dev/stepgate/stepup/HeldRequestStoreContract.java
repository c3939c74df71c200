package dev.stepgate.stepup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The contract every {@link HeldRequestStore} backend keeps: memory and Redis run it. Subclasses give a fresh, empty store with the given bounds.
 */
public abstract class HeldRequestStoreContract {
  protected static final String ALICE = "a".repeat(43);
  protected static final String BOB = "b".repeat(43);
  protected static final String NEW = "n".repeat(43);
  protected static final List<Map.Entry<String, String>> HEADERS =
      List.of(Map.entry("Content-Type", "application/x-www-form-urlencoded"));

  /** A fresh store: at most {@code perSession} requests per session, {@code maxBytes} in all. */
  protected abstract HeldRequestStore store(int perSession, long maxBytes);

  protected static <T> T await(CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  protected static HeldRequest request(String session, int bodyBytes) {
    return new HeldRequest(session, "POST", "localhost", "/form", HEADERS, new byte[bodyBytes], Instant.EPOCH);
  }

  protected static long size(int bodyBytes) {
    return HeldRequest.sizeWithoutBody("POST", "localhost", "/form", HEADERS) + bodyBytes;
  }

  protected static String hold(HeldRequestStore store, String session, int bodyBytes) throws Exception {
    return await(store.hold(request(session, bodyBytes))).orElseThrow();
  }

  @Test
  void hold_thenPeek_givesItBackToItsSessionOnly_andLeavesIt() throws Exception {
    var store = store(3, 1 << 20);
    var id = hold(store, ALICE, 10);
    assertTrue(id.length() >= 22, "ids carry 128 bits");
    var seen = await(store.peek(id, ALICE)).orElseThrow();
    assertEquals("POST", seen.method());
    assertEquals("localhost", seen.host());
    assertEquals("/form", seen.pathAndQuery());
    assertEquals(HEADERS, seen.headers());
    assertEquals(10, seen.body().length);
    assertEquals(Optional.empty(), await(store.peek(id, BOB)));
    assertEquals(Optional.empty(), await(store.peek(id, null)));
    assertEquals(Optional.empty(), await(store.peek(null, ALICE)));
    assertTrue(await(store.peek(id, ALICE)).isPresent(), "peeking leaves it held");
  }

  @Test
  void hold_givesEveryRequestItsOwnId() throws Exception {
    var store = store(3, 1 << 20);
    assertNotEquals(hold(store, ALICE, 1), hold(store, ALICE, 1));
  }

  @Test
  void take_once_thenNothing_andNeverForAnotherSession() throws Exception {
    var store = store(3, 1 << 20);
    var id = hold(store, ALICE, 1000);
    assertEquals(Optional.empty(), await(store.take(id, BOB)));
    assertEquals(1000, await(store.take(id, ALICE)).orElseThrow().body().length);
    assertEquals(Optional.empty(), await(store.take(id, ALICE)));
    assertEquals(Optional.empty(), await(store.peek(id, ALICE)));
    assertEquals(Optional.empty(), await(store.take(null, ALICE)));
  }

  @Test
  void take_twentyThreadsAtOnce_exactlyOneGetsIt() throws Exception {
    var store = store(3, 1 << 20);
    var id = hold(store, ALICE, 5);
    var pool = Executors.newFixedThreadPool(20);
    try {
      var go = new CountDownLatch(1);
      var won = new AtomicInteger();
      var tasks = new ArrayList<java.util.concurrent.Future<?>>();
      for (int i = 0; i < 20; i++) tasks.add(pool.submit(() -> {
        go.await();
        if (await(store.take(id, ALICE)).isPresent()) won.incrementAndGet();
        return null;
      }));
      go.countDown();
      for (var t : tasks) t.get(10, TimeUnit.SECONDS);
      assertEquals(1, won.get());
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void reserve_pastThePerSessionBound_isRefused_andTheHeldOnesStay() throws Exception {
    var store = store(3, 1 << 20);
    var ids = List.of(hold(store, ALICE, 10), hold(store, ALICE, 10), hold(store, ALICE, 10));
    assertEquals(Optional.empty(), await(store.reserve(ALICE, size(10))));
    assertEquals(Optional.empty(), await(store.hold(request(ALICE, 10))));
    assertTrue(await(store.reserve(BOB, size(10))).isPresent(), "another session has its own bound");
    for (var id : ids) assertTrue(await(store.peek(id, ALICE)).isPresent());
    await(store.take(ids.get(0), ALICE));
    assertTrue(await(store.reserve(ALICE, size(10))).isPresent(), "taking one makes room for one");
  }

  @Test
  void reserve_requestsBeingReadCountTowardsTheSessionBound_releaseGivesBackOnce() throws Exception {
    var store = store(2, 1 << 20);
    var first = await(store.reserve(ALICE, size(0))).orElseThrow();
    await(store.reserve(ALICE, size(0))).orElseThrow();
    assertEquals(Optional.empty(), await(store.reserve(ALICE, size(0))));
    first.release();
    first.release(); // idempotent: gives back one slot, once
    assertTrue(await(store.reserve(ALICE, size(0))).isPresent());
    assertEquals(Optional.empty(), await(store.reserve(ALICE, size(0))));
  }

  @Test
  void reserveAndGrow_pastTheByteBound_areRefused_untilRoomIsGivenBack() throws Exception {
    long budget = size(0) * 2 + 1000;
    var store = store(10, budget);
    var a = await(store.reserve(ALICE, size(0))).orElseThrow();
    assertTrue(a.grow(500));
    var b = await(store.reserve(BOB, size(0))).orElseThrow();
    assertTrue(b.grow(500));
    assertFalse(b.grow(1), "the budget is spent");
    assertEquals(Optional.empty(), await(store.reserve("c".repeat(43), 1)));
    b.release();
    assertTrue(await(store.reserve("c".repeat(43), 1)).isPresent(), "released room is free again");
    await(a.hold(request(ALICE, 500)));
    assertFalse(a.grow(1), "a used reservation takes no more");
  }

  @Test
  void hold_onAUsedReservation_orForAnotherSession_orLargerThanReserved_isRefused() throws Exception {
    var store = store(3, 1 << 20);
    var room = await(store.reserve(ALICE, size(10))).orElseThrow();
    assertRefused(IllegalArgumentException.class, () -> room.hold(request(BOB, 10)));
    assertRefused(IllegalArgumentException.class, () -> room.hold(request(ALICE, 11)));
    await(room.hold(request(ALICE, 10)));
    assertRefused(IllegalStateException.class, () -> room.hold(request(ALICE, 10)));
    var released = await(store.reserve(ALICE, size(10))).orElseThrow();
    released.release();
    assertRefused(IllegalStateException.class, () -> released.hold(request(ALICE, 10)));
  }

  /** {@code hold} refuses with {@code type}: thrown at once, or as the failure of its stage. */
  static void assertRefused(Class<? extends RuntimeException> type, java.util.function.Supplier<CompletionStage<String>> hold) {
    var failure = assertThrows(Exception.class, () -> await(hold.get()));
    var cause = failure instanceof java.util.concurrent.ExecutionException ? failure.getCause() : failure;
    assertEquals(type, cause.getClass(), cause.toString());
  }

  @Test
  void rebindAll_movesEveryHeldRequestOfTheSession_withItsCount() throws Exception {
    var store = store(2, 1 << 20);
    var one = hold(store, ALICE, 1);
    var two = hold(store, ALICE, 2);
    var other = hold(store, BOB, 3);
    await(store.rebindAll(ALICE, NEW));
    assertEquals(Optional.empty(), await(store.peek(one, ALICE)));
    assertEquals(NEW, await(store.peek(one, NEW)).orElseThrow().sessionId());
    assertEquals(2, await(store.peek(two, NEW)).orElseThrow().body().length);
    assertTrue(await(store.peek(other, BOB)).isPresent());
    assertEquals(Optional.empty(), await(store.reserve(NEW, size(0))), "the new id holds two");
    assertTrue(await(store.reserve(ALICE, size(0))).isPresent(), "the old id holds none");
    assertEquals(Optional.empty(), await(store.take(two, ALICE)));
    assertEquals(2, await(store.take(two, NEW)).orElseThrow().body().length);
  }

  @Test
  void rebindAll_toItself_orWithNothingHeld_changesNothing() throws Exception {
    var store = store(2, 1 << 20);
    var id = hold(store, ALICE, 1);
    await(store.rebindAll(ALICE, ALICE));
    await(store.rebindAll(BOB, NEW));
    assertTrue(await(store.peek(id, ALICE)).isPresent());
    assertEquals(Optional.empty(), await(store.peek(id, NEW)));
  }

  @Test
  void holdAndTake_manyAtOnce_leaveTheBoundsExact() throws Exception {
    var store = store(1, 1 << 20);
    var pool = Executors.newFixedThreadPool(8);
    try {
      var ids = new HashSet<String>();
      var tasks = new ArrayList<java.util.concurrent.Future<Optional<String>>>();
      for (int i = 0; i < 20; i++) tasks.add(pool.submit(() -> await(store.hold(request(ALICE, 1)))));
      for (var t : tasks) t.get(10, TimeUnit.SECONDS).ifPresent(ids::add);
      assertEquals(1, ids.size(), "one session holds at most its bound, however many hold at once");
      await(store.take(ids.iterator().next(), ALICE));
      assertTrue(await(store.hold(request(ALICE, 1))).isPresent());
    } finally {
      pool.shutdownNow();
    }
  }
}
