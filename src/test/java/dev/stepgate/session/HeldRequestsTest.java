package dev.stepgate.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The two bounds of {@link HeldRequests}: per session, and bytes across the process. */
class HeldRequestsTest {
  static final String ALICE = "a".repeat(43);
  static final String BOB = "b".repeat(43);
  static final List<Map.Entry<String, String>> HEADERS = List.of(Map.entry("Content-Type", "application/x-www-form-urlencoded"));

  static HeldRequest request(String session, int bodyBytes) {
    return new HeldRequest(session, "POST", "localhost", "/form", HEADERS, new byte[bodyBytes], Instant.EPOCH);
  }

  static long size(int bodyBytes) {
    return HeldRequest.sizeWithoutBody("POST", "localhost", "/form", HEADERS) + bodyBytes;
  }

  static String hold(HeldRequests held, String session, int bodyBytes) {
    return held.reserve(session, size(bodyBytes)).orElseThrow().hold(request(session, bodyBytes));
  }

  @Test
  void reserve_pastPerSessionBound_isRefused_andTheHeldOnesStay() {
    var held = new HeldRequests(3, 1 << 20);
    var ids = List.of(hold(held, ALICE, 10), hold(held, ALICE, 10), hold(held, ALICE, 10));
    assertTrue(held.reserve(ALICE, size(10)).isEmpty());
    assertTrue(held.reserve(BOB, size(10)).isPresent(), "another session has its own bound");
    for (var id : ids) assertTrue(held.peek(id, ALICE).isPresent());
    held.take(ids.get(0), ALICE);
    assertTrue(held.reserve(ALICE, size(10)).isPresent(), "taking one makes room for one");
  }

  @Test
  void reserve_readingRequestsCountTowardsTheSessionBound() {
    var held = new HeldRequests(2, 1 << 20);
    var first = held.reserve(ALICE, size(0)).orElseThrow();
    held.reserve(ALICE, size(0)).orElseThrow();
    assertTrue(held.reserve(ALICE, size(0)).isEmpty());
    first.release();
    first.release(); // idempotent: gives back one slot, once
    assertTrue(held.reserve(ALICE, size(0)).isPresent());
    assertTrue(held.reserve(ALICE, size(0)).isEmpty());
  }

  @Test
  void grow_pastTheByteBound_isRefusedBeforeAnythingIsBuffered() {
    long budget = size(0) * 2 + 1000;
    var held = new HeldRequests(10, budget);
    var a = held.reserve(ALICE, size(0)).orElseThrow();
    assertTrue(a.grow(500));
    var b = held.reserve(BOB, size(0)).orElseThrow();
    assertTrue(b.grow(500));
    assertFalse(b.grow(1), "the budget is spent");
    assertEquals(budget, held.bytesInUse());
    assertTrue(held.reserve("c".repeat(43), 1).isEmpty());
    b.release();
    assertEquals(size(0) + 500, held.bytesInUse());
    a.hold(request(ALICE, 500));
    assertEquals(size(500), held.bytesInUse());
  }

  @Test
  void take_givesItsBytesBack_andOnlyToItsOwnSession() {
    var held = new HeldRequests(3, 1 << 20);
    var id = hold(held, ALICE, 1000);
    assertEquals(size(1000), held.bytesInUse());
    assertTrue(held.take(id, BOB).isEmpty());
    assertEquals(1000, held.take(id, ALICE).orElseThrow().body().length);
    assertTrue(held.take(id, ALICE).isEmpty());
    assertEquals(0, held.bytesInUse());
  }

  @Test
  void rebind_movesEveryHeldRequestOfTheSession_withItsCount() {
    var held = new HeldRequests(2, 1 << 20);
    var one = hold(held, ALICE, 1);
    var two = hold(held, ALICE, 2);
    var other = hold(held, BOB, 3);
    held.rebind(ALICE, "n".repeat(43));
    assertTrue(held.peek(one, ALICE).isEmpty());
    assertEquals(1, held.peek(one, "n".repeat(43)).orElseThrow().body().length);
    assertEquals(2, held.peek(two, "n".repeat(43)).orElseThrow().body().length);
    assertTrue(held.peek(other, BOB).isPresent());
    assertTrue(held.reserve("n".repeat(43), size(0)).isEmpty(), "the new id holds two");
    assertTrue(held.reserve(ALICE, size(0)).isPresent(), "the old id holds none");
    assertEquals(size(1) + size(2) + size(3) + size(0), held.bytesInUse());
  }
}
