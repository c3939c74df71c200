package dev.stepgate.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Every policy file shipped under policies/ parses without errors or warnings. */
class ShippedPoliciesTest {
  static final Instant NOW = Instant.parse("2026-11-23T10:00:00Z");

  static List<Path> shipped() throws IOException {
    try (Stream<Path> s = Files.walk(Path.of("policies"))) {
      return s.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml"))
          .sorted().toList();
    }
  }

  static PolicySet load(Path p) throws IOException {
    return PolicyParser.parse(List.of(new PolicySource(p.toString(), Files.readString(p))), false);
  }

  @Test
  void everyShippedFile_parsesWithoutWarnings() throws IOException {
    List<Path> files = shipped();
    assertTrue(files.size() >= 6, "expected demo.yaml and five examples, found " + files);
    for (Path p : files) assertEquals(List.of(), load(p).warnings(), p.toString());
  }

  @Test
  void demo_decidesAsDocumented() throws IOException {
    PolicySet demo = load(Path.of("policies/demo.yaml"));
    AuthState anon = AuthState.anonymous(NOW);
    assertInstanceOf(Decision.Allow.class, demo.decide(new PolicyRequest("GET", "h", "/"), anon));
    assertInstanceOf(Decision.Allow.class, demo.decide(new PolicyRequest("GET", "h", "/static/a.js"), anon));
    assertInstanceOf(Decision.Login.class, demo.decide(new PolicyRequest("GET", "h", "/account"), anon));
    assertInstanceOf(Decision.Deny.class, demo.decide(new PolicyRequest("GET", "h", "/admin"), anon));
    AuthState synced = AuthState.signedIn("u", NOW.minusSeconds(60), NOW)
        .withStepUp(new AuthState.StepUp(NOW.minusSeconds(10), true, true, NOW.minusSeconds(60), false,
            java.util.Optional.of("payout-destination")));
    Decision.Allow d = (Decision.Allow) demo.decide(
        new PolicyRequest("POST", "h", "/payouts/destination"), synced);
    assertTrue(d.consumesStepUp());
    assertEquals("payout-destination", d.rule());
    assertEquals("payouts", demo.decide(new PolicyRequest("GET", "h", "/payouts"), synced).rule());
  }

  @Test
  void whoMayPassExample_lettingInAndKeepingOutAsDocumented() throws IOException {
    PolicySet set = load(Path.of("policies/examples/who-may-pass.yaml"));
    AuthState signed = AuthState.signedIn("id", NOW.minusSeconds(60), NOW);
    AuthState admin = signed.withSubject("ann", java.util.Set.of("admins"));
    AuthState finance = signed.withSubject("fay", java.util.Set.of("finance"));
    PolicyRequest adminPage = new PolicyRequest("GET", "h", "/admin/users");
    assertInstanceOf(Decision.Login.class, set.decide(adminPage, AuthState.anonymous(NOW)));
    assertInstanceOf(Decision.StepUp.class, set.decide(adminPage, admin));
    assertInstanceOf(Decision.Deny.class, set.decide(adminPage, finance));
    PolicyRequest payout = new PolicyRequest("POST", "h", "/payouts/42");
    assertInstanceOf(Decision.StepUp.class, set.decide(payout, finance));
    assertInstanceOf(Decision.StepUp.class, set.decide(payout, signed.withSubject("oncall-payments", java.util.Set.of())));
    assertInstanceOf(Decision.Deny.class, set.decide(payout, admin));
    assertInstanceOf(Decision.Allow.class, set.decide(new PolicyRequest("GET", "h", "/payouts/42"),
        signed.withSubject("al", java.util.Set.of("auditors"))));
  }
}
