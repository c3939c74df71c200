package dev.stepgate.identity;

import dev.stepgate.testing.TestClock;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jwt.SignedJWT;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AssertionSignerTest {
  static final String AUD = "http://127.0.0.1:3000";
  static final Instant START = Instant.parse("2026-01-01T10:00:00Z");

  private final InMemorySigningKeyStore store = new InMemorySigningKeyStore();
  private final TestClock clock = new TestClock(START);
  private final SigningKeys keys = dev.stepgate.Async.join(SigningKeys.load(store, clock, Duration.ofHours(24)));
  private final AssertionSigner signer = new AssertionSigner(keys, clock, AssertionSigner.MAX_LIFETIME);

  static AssertionClaims authenticated() {
    return new AssertionClaims("http://localhost:8080", AUD, "u-7f3a9c", "alice@example.com",
        AssertionClaims.sessionIdHash("session-secret-1"), Instant.parse("2026-01-01T09:30:00.250Z"),
        Optional.empty(), AssertionClaims.amrFor(false, true), AssertionClaims.ACR_PASSKEY, "default");
  }

  static AssertionClaims steppedUp() {
    return new AssertionClaims("http://localhost:8080", AUD, "u-7f3a9c", "alice@example.com",
        AssertionClaims.sessionIdHash("session-secret-1"), Instant.parse("2026-01-01T09:30:00Z"),
        Optional.of(Instant.parse("2026-01-01T09:58:20Z")), AssertionClaims.amrFor(true, true),
        AssertionClaims.ACR_STEP_UP, "change-email");
  }

  private Date now() {
    return Date.from(clock.instant());
  }

  @Test
  void assertion_authenticated_everyClaimVerifiesIndependently() throws Exception {
    var signed = signer.sign(authenticated());

    var claims = IndependentVerifier.verify(keys.jwksJson(), signed.token(), AUD, now());

    assertEquals("http://localhost:8080", claims.getIssuer());
    assertEquals(List.of(AUD), claims.getAudience());
    assertEquals("u-7f3a9c", claims.getSubject());
    assertEquals("alice@example.com", claims.getStringClaim("preferred_username"));
    assertEquals(AssertionClaims.sessionIdHash("session-secret-1"), claims.getStringClaim("sid"));
    assertEquals(Instant.parse("2026-01-01T09:30:00Z").getEpochSecond(), claims.getLongClaim("auth_time"));
    assertNull(claims.getClaim("step_up_time"));
    assertEquals(List.of("hwk", "user"), claims.getStringListClaim("amr"));
    assertEquals("urn:stepgate:passkey", claims.getStringClaim("acr"));
    assertEquals("default", claims.getStringClaim("rule"));
    assertEquals(START, claims.getIssueTime().toInstant());
    assertEquals(START.plusSeconds(300), claims.getExpirationTime().toInstant());
    assertNull(claims.getJWTID(), "a jti would defeat caching");
    assertEquals(Set.of("iss", "aud", "sub", "preferred_username", "iat", "exp", "sid", "auth_time", "amr", "acr", "rule"),
        claims.getClaims().keySet());
  }

  @Test
  void assertion_withGroups_carriesThemSorted_andVerifiesIndependently() throws Exception {
    var signed = signer.sign(AssertionCacheTest.withGroups(authenticated(), List.of("ops", "Admins", "admins")));

    var claims = IndependentVerifier.verify(keys.jwksJson(), signed.token(), AUD, now());

    assertEquals(List.of("Admins", "admins", "ops"), claims.getStringListClaim("groups"));
  }

  @Test
  void assertion_withoutGroups_leavesTheClaimOut() throws Exception {
    var claims = IndependentVerifier.verify(keys.jwksJson(), signer.sign(authenticated()).token(), AUD, now());

    assertFalse(claims.getClaims().containsKey("groups"));
  }

  @Test
  void claims_groupOutsideTheAlphabet_isRejected() {
    var e = assertThrows(IllegalArgumentException.class, () -> AssertionCacheTest.withGroups(authenticated(), List.of("a b")));
    assertEquals("groups must be valid group names", e.getMessage());
  }

  @Test
  void assertion_stepUp_carriesStepUpTimeAndAcr() throws Exception {
    var signed = signer.sign(steppedUp());

    var claims = IndependentVerifier.verify(keys.jwksJson(), signed.token(), AUD, now());

    assertEquals(Instant.parse("2026-01-01T09:58:20Z").getEpochSecond(), claims.getLongClaim("step_up_time"));
    assertEquals("urn:stepgate:step-up", claims.getStringClaim("acr"));
    assertEquals(List.of("swk", "user"), claims.getStringListClaim("amr"));
    assertEquals("change-email", claims.getStringClaim("rule"));
  }

  @Test
  void assertion_header_isES256WithKidAndTyp() throws Exception {
    var jwt = SignedJWT.parse(signer.sign(authenticated()).token());

    assertEquals(JWSAlgorithm.ES256, jwt.getHeader().getAlgorithm());
    assertEquals(keys.currentKid(), jwt.getHeader().getKeyID());
    assertEquals(JOSEObjectType.JWT, jwt.getHeader().getType());
    assertEquals(3, jwt.serialize().split("\\.").length);
  }

  @Test
  void assertion_lifetime_isAtMost300Seconds() throws Exception {
    var claims = SignedJWT.parse(signer.sign(authenticated()).token()).getJWTClaimsSet();

    var seconds = (claims.getExpirationTime().getTime() - claims.getIssueTime().getTime()) / 1000;
    assertTrue(seconds > 0 && seconds <= 300, "exp - iat = " + seconds);
  }

  @Test
  void constructor_lifetimeOver300s_isRejected() {
    var e = assertThrows(IllegalArgumentException.class,
        () -> new AssertionSigner(keys, clock, Duration.ofSeconds(301)));
    assertEquals("lifetime must be positive and at most 300s", e.getMessage());
  }

  @Test
  void assertion_afterExpiry_doesNotVerify() throws Exception {
    var token = signer.sign(authenticated()).token();
    clock.advance(Duration.ofSeconds(300));

    assertThrows(BadJOSEException.class, () -> IndependentVerifier.verify(keys.jwksJson(), token, AUD, now()));
  }

  @Test
  void assertion_otherAudience_doesNotVerify() throws Exception {
    var token = signer.sign(authenticated()).token();

    assertThrows(BadJOSEException.class,
        () -> IndependentVerifier.verify(keys.jwksJson(), token, "http://other-app", now()));
  }

  @Test
  void assertion_duringGrace_oldKeyStillVerifies() throws Exception {
    var old = signer.sign(authenticated());
    dev.stepgate.Async.join(keys.rotate());

    var claims = IndependentVerifier.verify(keys.jwksJson(), old.token(), AUD, now());
    assertEquals("u-7f3a9c", claims.getSubject());
    var fresh = signer.sign(authenticated());
    assertFalse(fresh.kid().equals(old.kid()));
    IndependentVerifier.verify(keys.jwksJson(), fresh.token(), AUD, now());
  }

  @Test
  void assertion_afterGrace_oldKeyNoLongerVerifies() throws Exception {
    var old = signer.sign(authenticated());
    dev.stepgate.Async.join(keys.rotate());
    clock.advance(Duration.ofHours(24));
    dev.stepgate.Async.join(keys.dropExpired());

    assertFalse(keys.jwksJson().contains(old.kid()));
    // Verified as of its own validity window, so only the missing key can fail it.
    var e = assertThrows(BadJOSEException.class,
        () -> IndependentVerifier.verify(keys.jwksJson(), old.token(), AUD, Date.from(START)));
    assertTrue(e.getMessage().contains("no matching key"), e.getMessage());
  }

  @Test
  void assertion_tamperedPayload_doesNotVerify() throws Exception {
    var token = signer.sign(authenticated()).token();
    var other = signer.sign(steppedUp()).token();
    var parts = token.split("\\.");
    var forged = parts[0] + "." + other.split("\\.")[1] + "." + parts[2];

    assertThrows(BadJOSEException.class, () -> IndependentVerifier.verify(keys.jwksJson(), forged, AUD, now()));
  }

  @Test
  void signedAssertion_toString_leavesTokenOut() {
    var signed = signer.sign(authenticated());
    assertFalse(signed.toString().contains(signed.token()));
    assertFalse(signed.toString().contains(signed.token().split("\\.")[2]));
  }
}
