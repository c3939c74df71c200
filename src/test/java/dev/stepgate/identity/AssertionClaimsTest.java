package dev.stepgate.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AssertionClaimsTest {

  @Test
  void amrFor_deviceBoundVerified_isHwkUser() {
    assertEquals(List.of("hwk", "user"), AssertionClaims.amrFor(false, true));
  }

  @Test
  void amrFor_syncedVerified_isSwkUser() {
    assertEquals(List.of("swk", "user"), AssertionClaims.amrFor(true, true));
  }

  @Test
  void amrFor_withoutUserVerification_dropsUser() {
    assertEquals(List.of("hwk"), AssertionClaims.amrFor(false, false));
    assertEquals(List.of("swk"), AssertionClaims.amrFor(true, false));
  }

  @Test
  void sessionIdHash_isStableBase64UrlAndHidesTheId() {
    var h = AssertionClaims.sessionIdHash("s3cr3t-session-id");

    assertEquals(h, AssertionClaims.sessionIdHash("s3cr3t-session-id"));
    assertNotEquals(h, AssertionClaims.sessionIdHash("s3cr3t-session-iD"));
    assertTrue(h.matches("[A-Za-z0-9_-]{22}"), h);
    assertFalse(h.contains("s3cr3t"));
  }

  @Test
  void constructor_copiesAmrAndTruncatesTimesToSeconds() {
    var amr = new ArrayList<>(List.of("hwk", "user"));
    var c = new AssertionClaims("i", "a", "s", "u", "sid", Instant.parse("2026-01-01T00:00:00.999Z"),
        Optional.of(Instant.parse("2026-01-01T00:01:00.5Z")), amr, AssertionClaims.ACR_STEP_UP, "r");
    amr.clear();

    assertEquals(List.of("hwk", "user"), c.amr());
    assertEquals(Instant.parse("2026-01-01T00:00:00Z"), c.authTime());
    assertEquals(Instant.parse("2026-01-01T00:01:00Z"), c.stepUpTime().orElseThrow());
  }

  @Test
  void constructor_unknownAcr_isRejected() {
    var e = assertThrows(IllegalArgumentException.class, () -> new AssertionClaims("i", "a", "s", "u", "sid",
        Instant.EPOCH, Optional.empty(), List.of("hwk"), "urn:other", "r"));
    assertEquals("acr must be urn:stepgate:passkey, urn:stepgate:app-session or urn:stepgate:step-up", e.getMessage());
  }

  @Test
  void constructor_emptyAmr_onlyForABoltOnAppSession() {
    var appSession = new AssertionClaims("i", "a", "s", "u", "sid", Instant.EPOCH, Optional.empty(), List.of(),
        AssertionClaims.ACR_APP_SESSION, "r");
    assertEquals(List.of(), appSession.amr());
    var e = assertThrows(IllegalArgumentException.class, () -> new AssertionClaims("i", "a", "s", "u", "sid",
        Instant.EPOCH, Optional.empty(), List.of(), AssertionClaims.ACR_PASSKEY, "r"));
    assertEquals("amr is empty exactly when acr is urn:stepgate:app-session", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new AssertionClaims("i", "a", "s", "u", "sid",
        Instant.EPOCH, Optional.empty(), List.of("pwd"), AssertionClaims.ACR_APP_SESSION, "r"));
  }

  @Test
  void constructor_stepUpAcrWithoutStepUpTime_isRejected() {
    var e = assertThrows(IllegalArgumentException.class, () -> new AssertionClaims("i", "a", "s", "u", "sid",
        Instant.EPOCH, Optional.empty(), List.of("hwk"), AssertionClaims.ACR_STEP_UP, "r"));
    assertEquals("acr urn:stepgate:step-up requires a stepUpTime", e.getMessage());
  }

  @Test
  void constructor_blankSub_isRejected() {
    var e = assertThrows(IllegalArgumentException.class, () -> new AssertionClaims("i", "a", " ", "u", "sid",
        Instant.EPOCH, Optional.empty(), List.of("hwk"), AssertionClaims.ACR_PASSKEY, "r"));
    assertEquals("sub must not be blank", e.getMessage());
  }

  @Test
  void jtiFor_isOnePerStepUp_andRevealsNeitherTheSessionIdNorTheSid() {
    var at = Instant.parse("2026-01-01T00:00:00.123456Z");
    var jti = AssertionClaims.jtiFor("session-a", at);
    assertEquals(jti, AssertionClaims.jtiFor("session-a", at));
    assertNotEquals(jti, AssertionClaims.jtiFor("session-b", at));
    assertNotEquals(jti, AssertionClaims.jtiFor("session-a", at.plusNanos(1000)));
    assertNotEquals(AssertionClaims.sessionIdHash("session-a"), jti);
    assertEquals(22, jti.length());
    assertEquals(java.util.Optional.of(jti), new AssertionClaims("i", "a", "s", "u", "sid", at, java.util.Optional.of(at),
        java.util.List.of("hwk", "user"), AssertionClaims.ACR_STEP_UP, "r", java.util.Optional.of(jti)).jti());
  }
}
