package dev.stepgate.admission;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.stepgate.StepgateException;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The catalogue: one status, one title and one message per type (issue 11). */
class ProblemsTest {

  @Test
  void of_cataloguedType_answersAsCatalogued_whateverTheErrorSays() {
    var p = Problems.of(new StepgateException("login-required", 403, "Not signed in."));
    assertEquals(Problems.LOGIN_REQUIRED, p);
    assertEquals(401, p.status());
    assertEquals("Sign in with a passkey first.", p.detail());
  }

  @Test
  void of_uncataloguedType_keepsItsStatusAndMessage() {
    var p = Problems.of(new StepgateException("unknown-host", 421, "This gateway does not serve the host x."));
    assertEquals(421, p.status());
    assertEquals("Unknown host", p.title());
    assertEquals("This gateway does not serve the host x.", p.detail());
  }

  @Test
  void unknownCredential_isAVerificationFailure_andRemovingAMissingPasskeyIsItsOwnType() {
    assertEquals(401, Problems.UNKNOWN_CREDENTIAL.status());
    assertEquals("passkey-not-found", Problems.PASSKEY_NOT_FOUND.type());
    assertEquals(404, Problems.PASSKEY_NOT_FOUND.status());
  }

  @Test
  void rateLimited_isCatalogued_andRoundsItsWaitUpToWholeSeconds() {
    assertEquals(Problems.RATE_LIMITED, Problems.named("rate-limited").orElseThrow());
    assertEquals(429, Problems.rateLimited(java.time.Duration.ofMillis(1)).status());
    assertEquals(1L, Problems.rateLimited(java.time.Duration.ZERO).fields().get(Problems.RETRY_AFTER));
    assertEquals(2L, Problems.rateLimited(java.time.Duration.ofMillis(1001)).fields().get(Problems.RETRY_AFTER));
    assertEquals(60L, Problems.rateLimited(java.time.Duration.ofSeconds(60)).fields().get(Problems.RETRY_AFTER));
  }

  @Test
  void unsupportedMediaType_hasItsOwnType() {
    assertEquals("unsupported-media-type", Problems.UNSUPPORTED_MEDIA_TYPE.type());
    assertEquals(415, Problems.UNSUPPORTED_MEDIA_TYPE.status());
  }

  @Test
  void stepUpRequired_withDescription_namesIt_statusAndTitleStay() {
    var p = Problems.stepUpRequired(Optional.of("payouts"));
    assertEquals("This action needs a fresh passkey check: payouts.", p.detail());
    assertEquals(Problems.STEP_UP_REQUIRED.status(), p.status());
    assertEquals(Problems.STEP_UP_REQUIRED.title(), p.title());
  }

  @Test
  void problem_badType_isRefusedWithExactMessage() {
    var e = assertThrows(IllegalArgumentException.class, () -> new Problem("Bad Type", 400, "t", "d"));
    assertEquals("type must be lower-case words joined by '-'", e.getMessage());
  }

  @Test
  void with_addsAField_andKeepsTheRest() {
    var p = Problems.FORBIDDEN.with("rule", "admin");
    assertEquals("admin", p.fields().get("rule"));
    assertEquals(Problems.FORBIDDEN.detail(), p.detail());
  }
}
