package dev.stepgate.admission;

import dev.stepgate.testing.TestClock;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import com.nimbusds.jwt.SignedJWT;
import dev.stepgate.identity.AssertionCache;
import dev.stepgate.identity.AssertionClaims;
import dev.stepgate.identity.AssertionSigner;
import dev.stepgate.identity.IdentityHeaders;
import dev.stepgate.identity.InMemorySigningKeyStore;
import dev.stepgate.identity.SigningKeys;
import dev.stepgate.policy.Decision;
import dev.stepgate.policy.Requirement;
import dev.stepgate.session.Session;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The identity headers are reused per session and decision, never past what the token allows. */
class IdentityStampTest {
  static final Instant START = Instant.parse("2026-12-01T10:00:00Z");
  final TestClock clock = new TestClock(START);
  final SigningKeys keys = dev.stepgate.Async.join(SigningKeys.load(new InMemorySigningKeyStore(), clock, Duration.ofHours(24)));
  final IdentityStamp stamp = new IdentityStamp("http://gw", "http://app",
      new AssertionCache(new AssertionSigner(keys, clock, AssertionSigner.MAX_LIFETIME), clock, 1000),
      new IdentityHeaders(List.of()));
  final Session session = new Session("s".repeat(43), "user-1", "alice", START, "cred", false, true, Optional.empty(), START);

  static Decision.Allow allow(String rule, boolean passedStepUp) {
    return new Decision.Allow(rule, passedStepUp ? Requirement.STEP_UP : Requirement.AUTHENTICATED,
        List.of("rule '" + rule + "' applies"), passedStepUp, false, Optional.empty(), Optional.empty());
  }

  static Map<String, Object> claims(Map<String, String> headers) throws Exception {
    return SignedJWT.parse(headers.get(IdentityHeaders.STEPGATE_ASSERTION)).getJWTClaimsSet().getClaims();
  }

  @Test
  void sameSessionAndDecision_reuseTheHeaders() {
    var first = stamp.headersFor(session, allow("app", false));
    clock.advance(Duration.ofSeconds(200));
    assertSame(first, stamp.headersFor(session, allow("app", false)));
    assertEquals("alice", first.get(IdentityHeaders.STEPGATE_USER));
  }

  @Test
  void anotherRule_orAStepUp_getsItsOwnClaims() throws Exception {
    var plain = stamp.headersFor(session, allow("app", false));
    assertEquals("app", claims(plain).get("rule"));
    assertEquals("payouts", claims(stamp.headersFor(session, allow("payouts", false))).get("rule"));
    var stepped = session.withStepUp(new Session.StepUpRecord(START.plusSeconds(5), "cred", false, START, false, Optional.empty()));
    var viaStepUp = stamp.headersFor(stepped, allow("payouts", true));
    assertEquals(AssertionClaims.ACR_STEP_UP, claims(viaStepUp).get("acr"));
    assertEquals(AssertionClaims.ACR_PASSKEY, claims(stamp.headersFor(session, allow("app", false))).get("acr"));
  }

  @Test
  void nearExpiry_aFreshTokenIsSigned() throws Exception {
    var first = stamp.headersFor(session, allow("app", false));
    clock.advance(Duration.ofSeconds(240)); // 60 s before exp: no longer handed out
    var second = stamp.headersFor(session, allow("app", false));
    assertNotEquals(first.get(IdentityHeaders.STEPGATE_ASSERTION), second.get(IdentityHeaders.STEPGATE_ASSERTION));
    assertEquals(START.plusSeconds(240), ((java.util.Date) claims(second).get("iat")).toInstant());
  }

  @Test
  void afterAKeyRotation_theNewKeySigns() throws Exception {
    var first = stamp.headersFor(session, allow("app", false));
    dev.stepgate.Async.join(keys.rotate());
    var second = stamp.headersFor(session, allow("app", false));
    assertEquals(keys.currentKid(), SignedJWT.parse(second.get(IdentityHeaders.STEPGATE_ASSERTION)).getHeader().getKeyID());
    assertNotEquals(SignedJWT.parse(first.get(IdentityHeaders.STEPGATE_ASSERTION)).getHeader().getKeyID(), keys.currentKid());
  }

  @Test
  void groupsOfTheSession_areInTheAssertionAndTheCompatHeaders_andAChangeSignsAnew() throws Exception {
    var compat = new IdentityStamp("http://gw", "http://app",
        new AssertionCache(new AssertionSigner(keys, clock, AssertionSigner.MAX_LIFETIME), clock, 1000),
        new IdentityHeaders(List.of("authelia", "oauth2-proxy")));
    var none = compat.headersFor(session, allow("app", false));
    assertEquals(false, claims(none).containsKey("groups"));
    assertEquals(false, none.containsKey("Remote-Groups"));

    var admin = compat.headersFor(session.withGroups(java.util.Set.of("ops", "admins")), allow("app", false));
    assertEquals(List.of("admins", "ops"), claims(admin).get("groups"));
    assertEquals("admins,ops", admin.get("Remote-Groups"));
    assertEquals("admins,ops", admin.get("X-Forwarded-Groups"));
    assertNotEquals(none.get(IdentityHeaders.STEPGATE_ASSERTION), admin.get(IdentityHeaders.STEPGATE_ASSERTION));
    // The same groups again: the kept headers, no new signature.
    assertSame(admin, compat.headersFor(session.withGroups(java.util.Set.of("admins", "ops")), allow("app", false)));

    var removed = compat.headersFor(session, allow("app", false));
    assertEquals(false, claims(removed).containsKey("groups"));
  }
}
