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

  /** Moves the clock the store reads by {@code d}. */
  protected abstract void advance(java.time.Duration d);

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
  void honour_endsWhatEachRevocationNames_andAGroupsChangeEndsNothing() throws Exception {
    var a = session("a", "u1", "AQID", Optional.empty());
    var b = session("b", "u1", "BAUG", Optional.empty());
    await(store().create(a));
    await(store().create(b));
    await(store().honour(new dev.stepgate.revocation.Revocation.GroupsChanged("u1")));
    assertTrue(await(store().find(a.id())).isPresent(), "a change of groups signs nobody out");
    assertTrue(store().findNow(b.id()).isPresent());
    await(store().honour(new dev.stepgate.revocation.Revocation.CredentialRevoked("u1",
        CredentialId.parse("AQID"))));
    assertFalse(await(store().find(a.id())).isPresent());
    assertTrue(await(store().find(b.id())).isPresent());
    await(store().honour(new dev.stepgate.revocation.Revocation.UserSessionsEnded("u1")));
    assertFalse(await(store().find(b.id())).isPresent());
  }

  @Test
  void end_endsOneSession() throws Exception {
    var a = session("a", "u1", "c1", Optional.empty());
    await(store().create(a));
    await(store().end(a.id()));
    await(store().end(null));
    assertEquals(Optional.empty(), store().findNow(a.id()));
  }

  static Session from(Session s, String platform, String browser) {
    return s.withDevice(new Session.Device(platform, browser));
  }

  @Test
  void create_keepsTheDevice_andLastSeenStartsAtCreation() throws Exception {
    var s = from(session("a", "u1", "c1", Optional.empty()), "macOS", "Firefox");
    await(store().create(s));
    var found = await(store().find(s.id())).orElseThrow();
    assertEquals(new Session.Device("macOS", "Firefox"), found.device());
    assertEquals(NOW, found.lastSeenAt());
    assertEquals(s, found);
  }

  @Test
  void find_marksTheSessionSeen_atMostOncePerStep() throws Exception {
    var s = session("a", "u1", "c1", Optional.empty());
    await(store().create(s));
    advance(java.time.Duration.ofSeconds(30));
    assertEquals(NOW, await(store().find(s.id())).orElseThrow().lastSeenAt(), "within a step: not written again");
    advance(java.time.Duration.ofSeconds(45));
    assertEquals(NOW.plusSeconds(75), await(store().find(s.id())).orElseThrow().lastSeenAt());
    assertEquals(NOW.plusSeconds(75), await(store().ofUser("u1")).get(0).lastSeenAt());
  }

  @Test
  void ofUser_listsThatUsersLiveSessions_byHandle_neverTheId() throws Exception {
    var first = from(session("a", "u1", "c1", Optional.empty()), "iOS", "Safari");
    var second = new Session("b".repeat(43), "u1", "ann", NOW.plusSeconds(5), "c2", true, true, Optional.empty(),
        NOW.plusSeconds(5));
    var otherUser = session("c", "u2", "c1", Optional.empty());
    for (var s : new Session[] {second, first, otherUser}) await(store().create(s));
    var listed = await(store().ofUser("u1"));
    assertEquals(java.util.List.of(
        new SessionSummary(dev.stepgate.audit.AuditEntry.sessionHash(first.id()), NOW, NOW, "c1",
            new Session.Device("iOS", "Safari")),
        new SessionSummary(dev.stepgate.audit.AuditEntry.sessionHash(second.id()), NOW.plusSeconds(5), NOW.plusSeconds(5),
            "c2", Session.Device.UNKNOWN)), listed, "oldest sign-in first");
    for (var l : listed) {
      assertFalse(l.toString().contains(first.id()));
      assertFalse(l.toString().contains(second.id()));
    }
    assertEquals(java.util.List.of(), await(store().ofUser("nobody")));
  }

  @Test
  void ofUser_followsRotationAndEnds() throws Exception {
    var a = session("a", "u1", "c1", Optional.empty());
    var b = session("b", "u1", "c1", Optional.empty());
    await(store().create(a));
    await(store().create(b));
    var rotated = "r".repeat(43);
    await(store().rotateAndRecordStepUp(a.id(), rotated, stepUp("x", NOW, "c1")));
    await(store().end(b.id()));
    assertEquals(java.util.List.of(SessionIds.handle(rotated)),
        await(store().ofUser("u1")).stream().map(SessionSummary::handle).toList());
  }

  @Test
  void endByHandle_endsThatUsersSessionOnly() throws Exception {
    var mine = session("a", "u1", "c1", Optional.empty());
    var alsoMine = session("b", "u1", "c1", Optional.empty());
    var theirs = session("c", "u2", "c1", Optional.empty());
    for (var s : new Session[] {mine, alsoMine, theirs}) await(store().create(s));
    assertFalse(await(store().endByHandle("u1", SessionIds.handle(theirs.id()))), "another user's session");
    assertTrue(await(store().find(theirs.id())).isPresent());
    assertFalse(await(store().endByHandle("u1", "unknown-handle")));
    assertFalse(await(store().endByHandle("u1", null)));
    assertTrue(await(store().endByHandle("u1", SessionIds.handle(alsoMine.id()))));
    assertEquals(Optional.empty(), await(store().find(alsoMine.id())));
    assertEquals(Optional.empty(), store().findNow(alsoMine.id()));
    assertTrue(await(store().find(mine.id())).isPresent());
    assertFalse(await(store().endByHandle("u1", SessionIds.handle(alsoMine.id()))), "already ended");
  }

  @Test
  void endOthersOf_endsEveryOtherSessionOfThatUser_keepsTheCurrent() throws Exception {
    var current = session("a", "u1", "c1", Optional.empty());
    var other = session("b", "u1", "c1", Optional.empty());
    var rotatedAway = session("c", "u1", "c2", Optional.empty());
    var otherUser = session("d", "u2", "c1", Optional.empty());
    for (var s : new Session[] {current, other, rotatedAway, otherUser}) await(store().create(s));
    await(store().rotateAndRecordStepUp(rotatedAway.id(), "e".repeat(43), stepUp("x", NOW, "c2")));
    await(store().endOthersOf("u1", current.id()));
    assertTrue(await(store().find(current.id())).isPresent());
    assertEquals(Optional.empty(), await(store().find(other.id())));
    assertEquals(Optional.empty(), await(store().find("e".repeat(43))));
    assertTrue(await(store().find(otherUser.id())).isPresent());
    assertEquals(java.util.List.of(SessionIds.handle(current.id())),
        await(store().ofUser("u1")).stream().map(SessionSummary::handle).toList());
  }
}
