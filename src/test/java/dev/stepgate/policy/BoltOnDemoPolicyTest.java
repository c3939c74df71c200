package dev.stepgate.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** {@code policies/bolt-on/demo-bolt-on.yaml} decides as {@code stepgate demo --bolt-on} needs it to. */
class BoltOnDemoPolicyTest {
  static final Instant NOW = Instant.parse("2026-12-03T10:00:00Z");

  static PolicySet boltOn() throws IOException {
    var p = Path.of("policies/bolt-on/demo-bolt-on.yaml");
    return PolicyParser.parse(List.of(new PolicySource(p.toString(), Files.readString(p))), false);
  }

  private static String rule(PolicySet set, String method, String path, AuthState state) {
    return set.decide(new PolicyRequest(method, "h", path), state).rule();
  }

  @Test
  void boltOnDemo_parsesWithoutWarnings() throws IOException {
    assertEquals(List.of(), boltOn().warnings());
  }

  @Test
  void boltOnDemo_appLoginAndAssetsArePublic_adminDenied() throws IOException {
    var set = boltOn();
    var anon = AuthState.anonymous(NOW);
    for (var path : List.of("/login", "/logout", "/", "/static/app.css"))
      for (var method : List.of("GET", "POST"))
        assertInstanceOf(Decision.Allow.class, set.decide(new PolicyRequest(method, "h", path), anon), method + " " + path);
    assertEquals("app-login", rule(set, "POST", "/login", anon));
    assertInstanceOf(Decision.Login.class, set.decide(new PolicyRequest("GET", "h", "/account"), anon));
    assertInstanceOf(Decision.Login.class, set.decide(new PolicyRequest("GET", "h", "/api/balance"), anon));
    assertInstanceOf(Decision.Deny.class, set.decide(new PolicyRequest("GET", "h", "/admin/x"), anon));
  }

  @Test
  void boltOnDemo_aPasskeyEnrolledAtThePrompt_passesThePayoutOnce() throws IOException {
    var set = boltOn();
    // Enrolled a second before this step-up (first_enrollment: on_step_up), synced.
    var fresh = new AuthState.StepUp(NOW.minusSeconds(1), true, true, NOW.minusSeconds(2), false,
        Optional.of("payout-destination"));
    var state = AuthState.signedIn("u", NOW.minusSeconds(60), NOW).withStepUp(fresh);
    var d = (Decision.Allow) set.decide(new PolicyRequest("POST", "h", "/payouts/destination"), state);
    assertEquals("payout-destination", d.rule());
    assertTrue(d.consumesStepUp(), "max_age 0s: this step-up authorizes exactly one request");
    assertInstanceOf(Decision.StepUp.class, set.decide(new PolicyRequest("POST", "h", "/account/email"),
        AuthState.signedIn("u", NOW.minusSeconds(60), NOW)));
    assertEquals("payouts", rule(set, "GET", "/payouts", state));
  }
}
