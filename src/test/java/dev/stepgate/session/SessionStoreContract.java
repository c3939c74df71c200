package dev.stepgate.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stepgate.credential.CredentialId;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The contract every {@link SessionStore} backend keeps: memory and Redis run it. Subclasses give a fresh, empty store whose clock reads {@link #NOW}.
 */
public abstract class SessionStoreContract {
  protected static final Instant NOW = Instant.parse("2025-01-01T12:00:00Z");

  protected abstract SessionStore store();

  static <T> T await(CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  static Session session(String id, String user, String credential, Optional<Session.StepUpRecord> stepUp) {
    return new Session(id.repeat(43).substring(0, 43), user, "ann", NOW, credential, false, true, stepUp, NOW);
  }

  static Session.StepUpRecord stepUp(String rule, Instant at, String credential) {
    return new Session.StepUpRecord(at, credential, false, NOW.minusSeconds(3600), false, Optional.of(rule));
  }

  @Test
  void create_thenFindAndFindNow_seeIt() throws Exception {
    var s = session("a", "u1", "c1", Optional.empty());
    await(store().create(s));
    assertEquals(Optional.of(s), await(store().find(s.id())));
    assertEquals(Optional.of(s), store().findNow(s.id()));
    assertEquals(Optional.empty(), await(store().find(null)));
  }

  @Test
  void create_recoverySession_keepsItsFlag_andOrdinaryOnesHaveNone() throws Exception {
    var r = Session.recovery("r".repeat(43), "u1", "alice", NOW);
    var s = session("a", "u1", "c1", Optional.empty());
    await(store().create(r));
    await(store().create(s));
    var found = await(store().find(r.id())).orElseThrow();
    assertEquals(r, found);
    assertTrue(found.recovery());
    assertTrue(!await(store().find(s.id())).orElseThrow().recovery());
  }

  @Test
  void rotateAndRecordStepUp_oldIdStops_newIdHasTheStepUp() throws Exception {
    var s = session("a", "u1", "c1", Optional.empty());
    await(store().create(s));
    var newId = "b".repeat(43);
    var moved = await(store().rotateAndRecordStepUp(s.id(), newId, stepUp("r", NOW, "c1"))).orElseThrow();
    assertEquals(newId, moved.id());
    assertEquals(Optional.of("r"), moved.stepUp().orElseThrow().forRule());
    assertEquals(Optional.empty(), await(store().find(s.id())));
    assertEquals(Optional.of(moved), await(store().find(newId)));
    assertEquals(Optional.empty(), await(store().rotateAndRecordStepUp(s.id(), "c".repeat(43), stepUp("r", NOW, "c1"))));
  }

  @Test
  void consumeStepUp_onlyForItsRule_notOlderThanNotBefore_once() throws Exception {
    var s = session("a", "u1", "c1", Optional.of(stepUp("pay", NOW, "c1")));
    await(store().create(s));
    assertEquals(Optional.empty(), await(store().consumeStepUp(s.id(), "other", NOW.minusSeconds(60))));
    assertEquals(Optional.empty(), await(store().consumeStepUp(s.id(), "pay", NOW.plusSeconds(1))));
    var spent = await(store().consumeStepUp(s.id(), "pay", NOW)).orElseThrow();
    assertTrue(spent.stepUp().orElseThrow().consumed());
    assertEquals(Optional.empty(), await(store().consumeStepUp(s.id(), "pay", NOW)), "a retry never spends it twice");
    assertTrue(await(store().find(s.id())).orElseThrow().stepUp().orElseThrow().consumed());
  }

  @Test
  void consumeStepUp_twentyConcurrentCallers_exactlyOneWins() throws Exception {
    var s = session("a", "u1", "c1", Optional.of(stepUp("pay", NOW, "c1")));
    await(store().create(s));
    var pool = Executors.newFixedThreadPool(20);
    try {
      var start = new CountDownLatch(1);
      var won = new AtomicInteger();
      var futures = new ArrayList<java.util.concurrent.Future<?>>();
      for (int i = 0; i < 20; i++) {
        futures.add(pool.submit(() -> {
          start.await();
          if (await(store().consumeStepUp(s.id(), "pay", NOW)).isPresent()) won.incrementAndGet();
          return null;
        }));
      }
      start.countDown();
      for (var f : futures) f.get(10, TimeUnit.SECONDS);
      assertEquals(1, won.get());
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void endSessionsOfCredential_endsSignedInAndSteppedUpWithIt_only() throws Exception {
    var key = CredentialId.parse("+/+/AQ==").base64url();
    var signedIn = session("a", "u1", key, Optional.empty());
    var steppedUp = session("b", "u1", "other", Optional.of(stepUp("r", NOW, key)));
    var untouched = session("c", "u1", "other", Optional.empty());
    var otherUser = session("d", "u2", key, Optional.empty());
    for (var s : new Session[] {signedIn, steppedUp, untouched, otherUser}) await(store().create(s));
    await(store().endSessionsOfCredential("u1", CredentialId.parse("+/+/AQ==")));
    assertFalse(await(store().find(signedIn.id())).isPresent());
    assertFalse(await(store().find(steppedUp.id())).isPresent());
    assertTrue(await(store().find(untouched.id())).isPresent());
    assertTrue(await(store().find(otherUser.id())).isPresent());
  }

  @Test
  void endSessionsOf_endsEverySessionOfThatUser_includingRotatedOnes() throws Exception {
    var a = session("a", "u1", "c1", Optional.empty());
    var b = session("b", "u2", "c2", Optional.empty());
    await(store().create(a));
    await(store().create(b));
    var rotated = "e".repeat(43);
    await(store().rotateAndRecordStepUp(a.id(), rotated, stepUp("r", NOW, "c1")));
    await(store().endSessionsOf("u1"));
    assertFalse(await(store().find(rotated)).isPresent());
    assertTrue(await(store().find(b.id())).isPresent());
  }

  @Test
  void end_endsOneSession() throws Exception {
    var a = session("a", "u1", "c1", Optional.empty());
    await(store().create(a));
    await(store().end(a.id()));
    await(store().end(null));
    assertEquals(Optional.empty(), store().findNow(a.id()));
  }
}
