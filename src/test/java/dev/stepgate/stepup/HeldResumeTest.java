package dev.stepgate.stepup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stepgate.admission.Admission;
import dev.stepgate.admission.AdmissionRequest;
import dev.stepgate.admission.EntryPoint;
import dev.stepgate.admission.Problems;
import dev.stepgate.admission.Verdict;
import dev.stepgate.policy.Decision;
import dev.stepgate.policy.Requirement;
import dev.stepgate.session.MemorySessionStore;
import dev.stepgate.session.Session;
import dev.stepgate.session.SessionCookie;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The order of a resume, with the pipeline stood in for: admitted first (for the host it was held
 * for), taken out only for a forward, so a lost race keeps the form and a refusal drops it.
 */
class HeldResumeTest {
  final MemorySessionStore sessions = new MemorySessionStore(Duration.ofHours(1), Duration.ofHours(12));
  final MemoryHeldRequestStore held = new MemoryHeldRequestStore(5, 1 << 20);
  final SessionCookie cookie = new SessionCookie(false);
  final List<AdmissionRequest> admitted = new ArrayList<>();
  Verdict next;
  final Admission admission = new Admission() {
    @Override
    public CompletionStage<Verdict> admit(AdmissionRequest request) {
      admitted.add(request);
      return CompletableFuture.completedFuture(next);
    }

    @Override
    public Optional<Verdict.Forward> admitAtOnce(AdmissionRequest request) {
      throw new AssertionError("a resume is never decided at once");
    }
  };
  final HeldResume resume = new HeldResume(held, sessions, cookie, admission);
  final Session alice = new Session("a".repeat(43), "user-a", "alice", Instant.now(), "c1", false, true, Optional.empty(),
      Instant.now());

  static <T> T await(CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  String holdForAlice() throws Exception {
    await(sessions.create(alice));
    return await(held.hold(new HeldRequest(alice.id(), "POST", "app.example", "/pay?x=1",
        List.of(Map.entry("Content-Type", "application/x-www-form-urlencoded")), "a=1".getBytes(), Instant.now()))).orElseThrow();
  }

  HeldResume.Outcome resume(String id, Session as) throws Exception {
    return await(resume.resume(id, cookie.name() + "=" + as.id(), "127.0.0.1"));
  }

  static Decision.Allow allow() {
    return new Decision.Allow("pay", Requirement.STEP_UP, List.of("ok"), true, true, Optional.empty(), Optional.empty());
  }

  static Decision.StepUp stepUp() {
    return new Decision.StepUp("pay", Requirement.STEP_UP, List.of("spent"), Optional.empty(), Duration.ZERO, false,
        Optional.empty(), Optional.empty());
  }

  @Test
  void resume_forward_takesTheFormOnce() throws Exception {
    var id = holdForAlice();
    next = new Verdict.Forward(Map.of("X-Stepgate-User", "alice"), allow(), Optional.of(alice));
    var send = assertInstanceOf(HeldResume.Send.class, resume(id, alice));
    assertEquals("a=1", new String(send.request().body()));
    assertEquals(Map.of("X-Stepgate-User", "alice"), send.forward().identity());
    var request = admitted.get(0);
    assertEquals(List.of("POST", "app.example", "/pay", "/pay?x=1", EntryPoint.HELD_REPLAY),
        List.of(request.method(), request.host(), request.policyPath(), request.pathAndQuery(), request.entry()));
    assertInstanceOf(HeldResume.Gone.class, resume(id, alice));
  }

  @Test
  void resume_stepUpAgain_backToThePrompt_theFormStaysHeld() throws Exception {
    var id = holdForAlice();
    next = new Verdict.Challenge(stepUp(), Optional.of(alice));
    var back = assertInstanceOf(HeldResume.BackToPrompt.class, resume(id, alice));
    assertEquals("/.stepgate/step-up?rd=%2Fpay%3Fx%3D1&held=" + id, back.location());
    assertTrue(await(held.peek(id, alice.id())).isPresent(), "a lost race keeps the form");
  }

  @Test
  void resume_refused_dropsTheForm() throws Exception {
    var id = holdForAlice();
    next = new Verdict.Refuse(Problems.FORBIDDEN, Optional.empty());
    var dropped = assertInstanceOf(HeldResume.Dropped.class, resume(id, alice));
    assertEquals(next, dropped.verdict());
    assertEquals(Optional.empty(), await(held.peek(id, alice.id())));
  }

  @Test
  void resume_anotherSessionOrNoCookie_isGone_andNothingIsAdmitted() throws Exception {
    var id = holdForAlice();
    var bob = new Session("b".repeat(43), "user-b", "bob", Instant.now(), "c2", false, true, Optional.empty(), Instant.now());
    await(sessions.create(bob));
    assertInstanceOf(HeldResume.Gone.class, resume(id, bob));
    assertInstanceOf(HeldResume.Gone.class, await(resume.resume(id, null, null)));
    assertEquals(List.of(), admitted);
    assertTrue(await(held.peek(id, alice.id())).isPresent());
  }
}
