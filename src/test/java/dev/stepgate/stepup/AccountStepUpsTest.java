package dev.stepgate.stepup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stepgate.session.MemorySessionStore;
import dev.stepgate.session.Session;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Which step-ups authorize an account action, and that spending one is once only. */
class AccountStepUpsTest {
  static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");
  final AtomicReference<Instant> now = new AtomicReference<>(T0);
  final Clock clock = new Clock() {
    @Override public ZoneOffset getZone() { return ZoneOffset.UTC; }
    @Override public Clock withZone(java.time.ZoneId zone) { return this; }
    @Override public Instant instant() { return now.get(); }
  };
  final MemorySessionStore sessions = new MemorySessionStore(Duration.ofHours(1), Duration.ofHours(12), 100, clock);
  final AccountStepUps stepUps = new AccountStepUps(sessions, Duration.ofMinutes(5), clock);

  Session session(Optional<String> forRule, Instant at) {
    var s = new Session("s".repeat(43), "user-1", "ann", T0, "cred-1", false, true,
        Optional.of(new Session.StepUpRecord(at, "cred-1", false, T0, false, forRule)), T0);
    sessions.create(s);
    return s;
  }

  @Test
  void fresh_stepUpForTheActionWithinMaxAge_counts_uptoTheBoundary() {
    var s = session(Optional.of("stepgate:add-passkey"), T0);
    assertTrue(stepUps.fresh(s, AccountAction.ADD_PASSKEY));
    now.set(T0.plus(Duration.ofMinutes(5)));
    assertTrue(stepUps.fresh(s, AccountAction.ADD_PASSKEY));
    now.set(T0.plus(Duration.ofMinutes(5)).plusMillis(1));
    assertFalse(stepUps.fresh(s, AccountAction.ADD_PASSKEY));
    assertTrue(stepUps.spend(s.id(), AccountAction.ADD_PASSKEY).toCompletableFuture().join().isEmpty());
  }

  @Test
  void fresh_stepUpForAnotherActionOrARuleOrNothing_doesNotCount() {
    assertFalse(stepUps.fresh(session(Optional.of("stepgate:revoke-passkey"), T0), AccountAction.ADD_PASSKEY));
    assertFalse(stepUps.fresh(session(Optional.of("change-email"), T0), AccountAction.ADD_PASSKEY));
    assertFalse(stepUps.fresh(session(Optional.empty(), T0), AccountAction.ADD_PASSKEY));
    var none = new Session("n".repeat(43), "user-1", "ann", T0, "cred-1", false, true, Optional.empty(), T0);
    assertFalse(stepUps.fresh(none, AccountAction.ADD_PASSKEY));
  }

  @Test
  void fresh_stepUpFromTheFuture_doesNotCount() {
    assertFalse(stepUps.fresh(session(Optional.of("stepgate:add-passkey"), T0.plusSeconds(1)), AccountAction.ADD_PASSKEY));
  }

  @Test
  void spend_usesTheStepUpUpOnce() {
    var s = session(Optional.of("stepgate:revoke-passkey"), T0);
    var spent = stepUps.spend(s.id(), AccountAction.REVOKE_PASSKEY).toCompletableFuture().join();
    assertTrue(spent.orElseThrow().stepUp().orElseThrow().consumed());
    assertFalse(stepUps.fresh(spent.get(), AccountAction.REVOKE_PASSKEY));
    assertEquals(Optional.empty(), stepUps.spend(s.id(), AccountAction.REVOKE_PASSKEY).toCompletableFuture().join());
    assertEquals(Optional.empty(), stepUps.spend("x".repeat(43), AccountAction.REVOKE_PASSKEY).toCompletableFuture().join());
  }

  @Test
  void named_findsOnlyTheReservedNames() {
    assertEquals(Optional.of(AccountAction.ADD_PASSKEY), AccountAction.named("stepgate:add-passkey"));
    assertEquals(Optional.of(AccountAction.REVOKE_PASSKEY), AccountAction.named("stepgate:revoke-passkey"));
    assertEquals(Optional.empty(), AccountAction.named("add-passkey"));
  }
}
