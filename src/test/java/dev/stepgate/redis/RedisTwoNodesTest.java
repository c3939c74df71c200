package dev.stepgate.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stepgate.Async;
import dev.stepgate.credential.CredentialId;
import dev.stepgate.passkey.Ceremony;
import dev.stepgate.revocation.Revocation;
import dev.stepgate.session.Session;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two nodes (separate clients, subscriptions and near caches) on one Redis, as two gateways. The
 * near caches here live a minute, so that only pub/sub can explain an entry leaving within 1 s.
 */
class RedisTwoNodesTest {
  static final CredentialId CRED = CredentialId.parse("AQIDBAUG");
  static final Duration LONG_NEAR_TTL = Duration.ofMinutes(1);
  static RedisNodes redis;
  RedisBackend a;
  RedisBackend b;

  @BeforeAll
  static void startRedis() {
    redis = new RedisNodes();
  }

  @AfterAll
  static void stopRedis() {
    redis.close();
  }

  @BeforeEach
  void openNodes() {
    a = redis.node(Clock.systemUTC(), RedisNodes.settings(LONG_NEAR_TTL));
    b = redis.node(Clock.systemUTC(), RedisNodes.settings(LONG_NEAR_TTL));
    // As the gateway wires it: each node's sessions honour its bus.
    a.revocations().subscribe(a.sessions()::honour);
    b.revocations().subscribe(b.sessions()::honour);
  }

  @AfterEach
  void reset() {
    redis.reset();
  }

  static Session session(String c, String user, Optional<Session.StepUpRecord> stepUp) {
    var now = Instant.now();
    return new Session(c.repeat(43), user, "ann", now, CRED.base64url(), false, true, stepUp, now);
  }

  /** A session made on A, read once on B so that B's near cache has it. */
  Session madeOnA_seenOnB(String c) {
    var s = session(c, "u1", Optional.empty());
    Async.join(a.sessions().create(s));
    assertEquals(Optional.of(s), Async.join(b.sessions().find(s.id())), "made on A, found on B");
    assertEquals(Optional.of(s), b.sessions().findNow(s.id()));
    return s;
  }

  static void within(Duration bound, BooleanSupplier condition, String what) {
    long deadline = System.nanoTime() + bound.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) throw new AssertionError(what + " not within " + bound.toMillis() + " ms");
      RedisNodes.sleep(5);
    }
  }

  @Test
  void end_onA_emptiesBsNearCache_withinOneSecond() {
    var s = madeOnA_seenOnB("a");
    Async.join(a.sessions().end(s.id()));
    within(Duration.ofSeconds(1), () -> b.sessions().findNow(s.id()).isEmpty(), "B forgets the ended session");
    assertEquals(Optional.empty(), Async.join(b.sessions().find(s.id())));
  }

  @Test
  void rotate_onA_emptiesBsNearCacheForTheOldId_withinOneSecond() {
    var s = madeOnA_seenOnB("b");
    var newId = "n".repeat(43);
    var up = new Session.StepUpRecord(Instant.now(), s.credentialId(), false, Instant.EPOCH, false, Optional.of("r"));
    assertTrue(Async.join(a.sessions().rotateAndRecordStepUp(s.id(), newId, up)).isPresent());
    within(Duration.ofSeconds(1), () -> b.sessions().findNow(s.id()).isEmpty(), "B forgets the old id");
    assertEquals(Optional.of("r"), Async.join(b.sessions().find(newId)).orElseThrow().stepUp().orElseThrow().forRule());
  }

  @Test
  void revocationPublishedOnA_reachesBsSubscribers_andEmptiesBsNearCache_withinOneSecond() {
    var s = madeOnA_seenOnB("c");
    var seenOnB = new CopyOnWriteArrayList<Revocation>();
    b.revocations().subscribe(seenOnB::add);
    var revoked = new Revocation.CredentialRevoked("u1", CRED);
    a.revocations().publish(revoked);
    within(Duration.ofSeconds(1), () -> b.sessions().findNow(s.id()).isEmpty(), "B forgets the revoked session");
    within(Duration.ofSeconds(1), () -> seenOnB.contains(revoked), "B's subscribers get the revocation");
    assertEquals(Optional.empty(), Async.join(b.sessions().find(s.id())));
  }

  @Test
  void groupsChangedPublishedOnA_endsNoSession_andStaysOnA() {
    var s = madeOnA_seenOnB("g");
    var seenOnA = new CopyOnWriteArrayList<Revocation>();
    var seenOnB = new CopyOnWriteArrayList<Revocation>();
    a.revocations().subscribe(seenOnA::add);
    b.revocations().subscribe(seenOnB::add);
    var changed = new Revocation.GroupsChanged("u1");
    a.revocations().publish(changed);
    assertEquals(java.util.List.of(changed), seenOnA, "A's own subscribers get it at once");
    // A marker after it on the same channel: once B has the marker, B would have had the change.
    var marker = new Revocation.UserSessionsEnded("someone-else");
    a.revocations().publish(marker);
    within(Duration.ofSeconds(1), () -> seenOnB.contains(marker), "B gets the marker");
    assertEquals(java.util.List.of(marker), seenOnB,
        "a groups change is not sent to other nodes (they follow the store's record; older builds would end sessions)");
    assertEquals(Optional.of(s), Async.join(a.sessions().find(s.id())), "no session ends on A");
    assertTrue(b.sessions().findNow(s.id()).isPresent(), "nor on B");
  }

  @Test
  void endSessionsOf_onA_emptiesBsNearCache_withinOneSecond() {
    var s = madeOnA_seenOnB("d");
    Async.join(a.sessions().endSessionsOf("u1"));
    within(Duration.ofSeconds(1), () -> b.sessions().findNow(s.id()).isEmpty(), "B forgets the user's sessions");
  }

  @Test
  void oneTimeStepUp_twentyCallersSpreadOverBothNodes_spendItExactlyOnce() throws Exception {
    for (int round = 0; round < 10; round++) {
      var at = Instant.now();
      var s = session(Integer.toString(round), "u" + round,
          Optional.of(new Session.StepUpRecord(at, "k", false, Instant.EPOCH, false, Optional.of("pay"))));
      Async.join(a.sessions().create(s));
      var pool = Executors.newFixedThreadPool(20);
      try {
        var go = new CountDownLatch(1);
        var won = new AtomicInteger();
        var tasks = new ArrayList<java.util.concurrent.Future<?>>();
        for (int i = 0; i < 20; i++) {
          var node = i % 2 == 0 ? a : b;
          tasks.add(pool.submit(() -> {
            go.await();
            if (node.sessions().consumeStepUp(s.id(), "pay", at).toCompletableFuture().get(10, TimeUnit.SECONDS).isPresent())
              won.incrementAndGet();
            return null;
          }));
        }
        go.countDown();
        for (var t : tasks) t.get(10, TimeUnit.SECONDS);
        assertEquals(1, won.get(), "round " + round);
      } finally {
        pool.shutdownNow();
      }
    }
  }

  @Test
  void ceremony_putOnA_takenOnBOnce() {
    var c = new Ceremony("cer", Ceremony.Kind.LOGIN, "Y2g", Optional.empty(), Optional.empty(), Optional.empty(), false,
        Optional.empty(), Optional.empty(), true, Instant.now().plusSeconds(60));
    Async.join(a.ceremonies().put(c));
    assertEquals(Optional.of(c), Async.join(b.ceremonies().take("cer")));
    assertEquals(Optional.empty(), Async.join(a.ceremonies().take("cer")));
  }

  @Test
  void pubSubReconnect_flushesTheNearCache() {
    var s = madeOnA_seenOnB("e");
    // Every pub/sub connection dropped: messages sent meanwhile are lost, so B must forget what it cached.
    assertTrue(redis.server.command("CLIENT", "KILL", "TYPE", "pubsub").startsWith(":"));
    within(Duration.ofSeconds(3), () -> b.subscribed() && b.sessions().findNow(s.id()).isEmpty(),
        "B subscribed again with a flushed near cache");
    assertTrue(Async.join(b.sessions().find(s.id())).isPresent(), "the session itself lives on");
    assertTrue(b.sessions().findNow(s.id()).isPresent(), "and is cached again once read");
    // and invalidations flow again
    Async.join(a.sessions().end(s.id()));
    within(Duration.ofSeconds(1), () -> b.sessions().findNow(s.id()).isEmpty(), "B hears A again");
  }

  @Test
  void withoutASubscription_theNearCacheServesNothing() {
    var s = madeOnA_seenOnB("f");
    redis.server.command("CLIENT", "KILL", "TYPE", "pubsub");
    // Until B hears invalidations again nothing is served from its near cache, and nothing is filled.
    for (int i = 0; i < 50 && !b.subscribed(); i++) {
      assertFalse(b.sessions().findNow(s.id()).isPresent());
      RedisNodes.sleep(1);
    }
  }
}
