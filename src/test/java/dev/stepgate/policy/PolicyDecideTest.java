package dev.stepgate.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Table-driven: (request, session state) -> (decision, rule, reasons). */
class PolicyDecideTest {
  static final Instant NOW = Instant.parse("2026-11-23T10:00:00Z");
  static final String SYNCED_REFUSAL = "this action needs a passkey that stays on one device (a"
      + " security key or device-bound passkey); synced passkeys do not count";
  static final String YOUNG_REFUSAL = "this passkey was added less than 24h ago; it can be used for this"
      + " from 24 Nov, 09:00 UTC; until then use a passkey you have had longer";

  static final PolicySet SET = PolicyParserTest.parse("""
      version: 1
      defaults: {require: authenticated}
      rules:
        - name: assets
          match: {paths: ["/static/**", "/favicon.ico"]}
          require: public
        - name: account
          match: {paths: ["/account"]}
          require: authenticated
          audience: https://accounts.internal
        - name: change-email
          description: Change the email address on your account
          match: {methods: [POST], paths: ["/account/email"]}
          require: step_up
          max_age: 5m
        - name: payouts-view
          match: {methods: [GET], paths: ["/payouts/**"]}
          require: step_up
          max_age: 2m
        - name: payout-destination
          description: Change where payouts are sent
          match: {methods: [POST], paths: ["/payouts/destination"], hosts: ["bank.example.com"]}
          require: step_up
          max_age: 0s
          device_bound: true
          min_credential_age: 24h
          audience: https://payouts.internal
        - name: admin
          match: {paths: ["/admin/**"]}
          require: deny
      """);

  static final AuthState ANON = AuthState.anonymous(NOW);
  static final AuthState SIGNED = AuthState.signedIn("u1", NOW.minusSeconds(3600), NOW);
  static final AuthState FRESH = SIGNED.withStepUp(stepUp(30, true, false, 30 * 86400, false));
  static final AuthState OLD = SIGNED.withStepUp(stepUp(600, true, false, 30 * 86400, false));
  static final AuthState NO_UV = SIGNED.withStepUp(stepUp(30, false, false, 30 * 86400, false));
  static final AuthState SYNCED = SIGNED.withStepUp(stepUp(30, true, true, 30 * 86400, false));
  static final AuthState YOUNG = SIGNED.withStepUp(stepUp(30, true, false, 3600, false));
  static final AuthState CONSUMED = SIGNED.withStepUp(stepUp(30, true, false, 30 * 86400, true));
  static final AuthState MINUTE_AND_HALF = SIGNED.withStepUp(stepUp(90, true, false, 30 * 86400, false, "payout-destination"));
  /** Confirmed at the prompt of the one-time payout-destination rule: good for that rule only. */
  static final AuthState FOR_DEST = SIGNED.withStepUp(stepUp(30, true, false, 30 * 86400, false, "payout-destination"));
  static final AuthState FOR_DEST_USED = SIGNED.withStepUp(stepUp(30, true, false, 30 * 86400, true, "payout-destination"));
  static final AuthState FOR_EMAIL = SIGNED.withStepUp(stepUp(30, true, false, 30 * 86400, false, "change-email"));
  /** Confirmed for one of the gateway's account actions (reserved names contain ':'). */
  static final AuthState FOR_ACCOUNT_ACTION = SIGNED.withStepUp(stepUp(30, true, false, 30 * 86400, false, "stepgate:add-passkey"));
  static final AuthState FOR_GONE_RULE = SIGNED.withStepUp(stepUp(30, true, false, 30 * 86400, false, "removed-rule"));

  static AuthState.StepUp stepUp(long agoSeconds, boolean uv, boolean be, long credAgeSeconds, boolean consumed) {
    return new AuthState.StepUp(NOW.minusSeconds(agoSeconds), uv, be, NOW.minusSeconds(credAgeSeconds), consumed);
  }

  static AuthState.StepUp stepUp(long agoSeconds, boolean uv, boolean be, long credAgeSeconds, boolean consumed,
      String forRule) {
    return new AuthState.StepUp(NOW.minusSeconds(agoSeconds), uv, be, NOW.minusSeconds(credAgeSeconds), consumed,
        Optional.of(forRule));
  }

  static Arguments row(String method, String host, String path, AuthState state,
      Class<? extends Decision> kind, String rule, String... reasons) {
    return Arguments.of(method + " " + host + path, new PolicyRequest(method, host, path), state,
        kind, rule, List.of(reasons));
  }

  static Stream<Arguments> table() {
    String email = "rule 'change-email' requires step_up within 5m";
    String dest = "rule 'payout-destination' requires step_up for each request (max_age 0s)";
    String bank = "bank.example.com";
    String another = "the last step-up was confirmed for another action; this one needs its own";
    String destOnly = "the last step-up was confirmed for the one-time action 'payout-destination' only";
    String used = "the last step-up was already used for one request";
    return Stream.of(
        row("GET", "app", "/static/app.css", ANON, Decision.Allow.class, "assets", "rule 'assets' requires public"),
        row("GET", "app", "/favicon.ico", SIGNED, Decision.Allow.class, "assets", "rule 'assets' requires public"),
        row("GET", "app", "/account", ANON, Decision.Login.class, "account",
            "rule 'account' requires authenticated", "not signed in"),
        row("GET", "app", "/account", SIGNED, Decision.Allow.class, "account",
            "rule 'account' requires authenticated", "signed in"),
        row("GET", "app", "/elsewhere", ANON, Decision.Login.class, "defaults",
            "no rule matched; defaults require authenticated", "not signed in"),
        row("GET", "app", "/elsewhere", SIGNED, Decision.Allow.class, "defaults",
            "no rule matched; defaults require authenticated", "signed in"),
        row("POST", "app", "/account/email", ANON, Decision.Login.class, "change-email", email, "not signed in"),
        row("POST", "app", "/account/email", SIGNED, Decision.StepUp.class, "change-email",
            email, "no step-up in this session"),
        row("POST", "app", "/account/email", FRESH, Decision.Allow.class, "change-email",
            email, "step-up 30s ago satisfies it"),
        row("POST", "app", "/account/email", OLD, Decision.StepUp.class, "change-email",
            email, "the last step-up is 10m old; older than 5m"),
        row("POST", "app", "/account/email", NO_UV, Decision.StepUp.class, "change-email",
            email, "the last step-up was not user-verified"),
        row("POST", "app", "/account/email", SYNCED, Decision.Allow.class, "change-email",
            email, "step-up 30s ago satisfies it"),
        row("GET", "app", "/account/email", SIGNED, Decision.Allow.class, "defaults",
            "no rule matched; defaults require authenticated", "signed in"),
        row("GET", "app", "/payouts", FRESH, Decision.Allow.class, "payouts-view",
            "rule 'payouts-view' requires step_up within 2m", "step-up 30s ago satisfies it"),
        row("GET", "app", "/payouts/a/b", OLD, Decision.StepUp.class, "payouts-view",
            "rule 'payouts-view' requires step_up within 2m", "the last step-up is 10m old; older than 2m"),
        row("POST", bank, "/payouts/destination", FOR_DEST, Decision.Allow.class, "payout-destination",
            dest, "step-up 30s ago satisfies it"),
        row("POST", bank, "/payouts/destination", CONSUMED, Decision.StepUp.class, "payout-destination",
            dest, used),
        row("POST", bank, "/payouts/destination", FOR_DEST_USED, Decision.StepUp.class, "payout-destination",
            dest, used),
        // A one-time rule takes only a step-up confirmed at its own prompt...
        row("POST", bank, "/payouts/destination", FRESH, Decision.StepUp.class, "payout-destination", dest, another),
        row("POST", bank, "/payouts/destination", FOR_EMAIL, Decision.StepUp.class, "payout-destination",
            dest, another),
        // ...and that step-up authorizes nothing else, used or not; the session stays signed in.
        row("POST", "app", "/account/email", FOR_DEST, Decision.StepUp.class, "change-email", email, destOnly),
        row("GET", "app", "/payouts", FOR_DEST, Decision.StepUp.class, "payouts-view",
            "rule 'payouts-view' requires step_up within 2m", destOnly),
        row("POST", "app", "/account/email", FOR_DEST_USED, Decision.StepUp.class, "change-email", email, used),
        row("POST", "app", "/account/email", CONSUMED, Decision.StepUp.class, "change-email", email, used),
        row("GET", "app", "/account", FOR_DEST_USED, Decision.Allow.class, "account",
            "rule 'account' requires authenticated", "signed in"),
        row("GET", "app", "/elsewhere", FOR_DEST_USED, Decision.Allow.class, "defaults",
            "no rule matched; defaults require authenticated", "signed in"),
        row("POST", "app", "/account/email", FOR_ACCOUNT_ACTION, Decision.StepUp.class, "change-email", email,
            "the last step-up was confirmed for the one-time action 'stepgate:add-passkey' only"),
        row("POST", bank, "/payouts/destination", FOR_ACCOUNT_ACTION, Decision.StepUp.class, "payout-destination",
            dest, another),
        // A step-up confirmed for a rule with a positive max_age (or one no longer in force) is general.
        row("POST", "app", "/account/email", FOR_EMAIL, Decision.Allow.class, "change-email",
            email, "step-up 30s ago satisfies it"),
        row("GET", "app", "/payouts", FOR_EMAIL, Decision.Allow.class, "payouts-view",
            "rule 'payouts-view' requires step_up within 2m", "step-up 30s ago satisfies it"),
        row("POST", "app", "/account/email", FOR_GONE_RULE, Decision.Allow.class, "change-email",
            email, "step-up 30s ago satisfies it"),
        row("POST", bank, "/payouts/destination", MINUTE_AND_HALF, Decision.StepUp.class,
            "payout-destination", dest, "the last step-up is 90s old; a single-use step-up lasts 1m"),
        row("POST", bank, "/payouts/destination", SYNCED, Decision.StepUp.class, "payout-destination",
            dest, SYNCED_REFUSAL),
        row("POST", bank, "/payouts/destination", YOUNG, Decision.StepUp.class, "payout-destination",
            dest, YOUNG_REFUSAL),
        row("POST", bank, "/payouts/destination", ANON, Decision.Login.class, "payout-destination",
            dest, "not signed in"),
        row("POST", "other.example.com", "/payouts/destination", FRESH, Decision.Allow.class, "defaults",
            "no rule matched; defaults require authenticated", "signed in"),
        row("GET", "app", "/admin", FRESH, Decision.Deny.class, "admin", "rule 'admin' requires deny"),
        row("DELETE", "app", "/admin/users/1", ANON, Decision.Deny.class, "admin", "rule 'admin' requires deny"),
        row("GET", "app", "relative", FRESH, Decision.Deny.class, "fail-closed", "the path does not start with '/'"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("table")
  void decide_table(String label, PolicyRequest request, AuthState state,
      Class<? extends Decision> kind, String rule, List<String> reasons) {
    Decision d = SET.decide(request, state);
    assertInstanceOf(kind, d);
    assertEquals(rule, d.rule());
    assertEquals(reasons, d.reasons());
    assertEquals(d, SET.explain(request, state).decision());
  }

  @Test
  void stepUp_expiredAssertion_challengesAgain() {
    Decision.StepUp d = (Decision.StepUp) SET.decide(new PolicyRequest("POST", "app", "/account/email"), OLD);
    assertEquals(Duration.ofMinutes(5), d.maxAge());
    assertEquals(300, d.maxAgeSeconds());
    assertEquals(Optional.of("Change the email address on your account"), d.description());
    assertEquals(Optional.empty(), d.refusal());
  }

  @Test
  void stepUp_syncedPasskeyOnDeviceBoundRule_carriesRefusal() {
    Decision.StepUp d = (Decision.StepUp) SET.decide(
        new PolicyRequest("POST", "bank.example.com", "/payouts/destination"), SYNCED);
    assertEquals(Optional.of(SYNCED_REFUSAL), d.refusal());
    assertTrue(d.deviceBound());
    assertEquals(Optional.of(Duration.ofHours(24)), d.minCredentialAge());
    assertEquals(Duration.ZERO, d.maxAge());
  }

  @Test
  void stepUp_youngCredential_carriesRefusal() {
    Decision.StepUp d = (Decision.StepUp) SET.decide(
        new PolicyRequest("POST", "bank.example.com", "/payouts/destination"), YOUNG);
    assertEquals(Optional.of(YOUNG_REFUSAL), d.refusal());
  }

  @Test
  void stepUp_maxAgeZero_allowConsumesTheStepUp() {
    Decision.Allow d = (Decision.Allow) SET.decide(
        new PolicyRequest("POST", "BANK.example.com:8443", "/payouts/destination"), FOR_DEST);
    assertTrue(d.consumesStepUp());
    assertTrue(d.passedStepUp());
    assertEquals(Optional.of("https://payouts.internal"), d.audience());
    assertEquals(Optional.of("Change where payouts are sent"), d.description());
  }

  @Test
  void stepUp_positiveMaxAge_doesNotConsume() {
    Decision.Allow d = (Decision.Allow) SET.decide(new PolicyRequest("POST", "app", "/account/email"), FRESH);
    assertFalse(d.consumesStepUp());
    assertTrue(d.passedStepUp());
  }

  @Test
  void authenticated_allow_carriesAudienceButNoStepUp() {
    Decision.Allow d = (Decision.Allow) SET.decide(new PolicyRequest("GET", "app", "/account"), FRESH);
    assertFalse(d.passedStepUp());
    assertEquals(Optional.of("https://accounts.internal"), d.audience());
  }

  @Test
  void head_isCoveredByGetRule() {
    Decision d = SET.decide(new PolicyRequest("HEAD", "app", "/payouts/x"), SIGNED);
    assertEquals("payouts-view", d.rule());
    assertInstanceOf(Decision.StepUp.class, d);
  }

  @Test
  void method_lowerCaseRequest_stillMatchesUpperCaseRule() {
    assertEquals("change-email", SET.decide(new PolicyRequest("post", "app", "/account/email"), SIGNED).rule());
  }

  @Test
  void path_trailingSlash_doesNotEscapeRule() {
    assertEquals("change-email", SET.decide(new PolicyRequest("POST", "app", "/account/email/"), SIGNED).rule());
  }

  @Test
  void caseInsensitive_foldsPathCase() {
    String yaml = "version: 1\nrules: [{name: admin, match: {paths: [/Admin/**]}, require: deny}]\n";
    PolicySet folded = PolicyParser.parse(List.of(new PolicySource("p.yaml", yaml)), true);
    PolicySet exact = PolicyParser.parse(List.of(new PolicySource("p.yaml", yaml)), false);
    PolicyRequest req = new PolicyRequest("GET", "app", "/ADMIN/users");
    assertInstanceOf(Decision.Deny.class, folded.decide(req, SIGNED));
    assertEquals("defaults", exact.decide(req, SIGNED).rule());
  }

  @Test
  void hosts_wildcardMatchesSubdomainsOnly() {
    PolicySet set = PolicyParserTest.parse(
        "version: 1\nrules: [{name: w, match: {hosts: ['*.example.com']}, require: deny}]\n");
    assertEquals("w", set.decide(new PolicyRequest("GET", "a.b.Example.com:80", "/"), SIGNED).rule());
    assertEquals("defaults", set.decide(new PolicyRequest("GET", "example.com", "/"), SIGNED).rule());
  }

  @Test
  void decide_nullRequest_deniesInsteadOfThrowing() {
    Decision d = SET.decide(null, SIGNED);
    assertInstanceOf(Decision.Deny.class, d);
    assertEquals("fail-closed", d.rule());
  }

  @Test
  void stepUp_futureDatedAssertion_challengesAgain() {
    AuthState future = SIGNED.withStepUp(stepUp(-60, true, false, 30 * 86400, false));
    Decision d = SET.decide(new PolicyRequest("POST", "app", "/account/email"), future);
    assertEquals(List.of("rule 'change-email' requires step_up within 5m",
        "the last step-up is dated in the future"), d.reasons());
  }

  @Test
  void defaults_stepUp_usesDefaultMaxAge() {
    PolicySet set = PolicyParserTest.parse("version: 1\ndefaults: {require: step_up}\n");
    Decision.StepUp d = (Decision.StepUp) set.decide(new PolicyRequest("GET", "h", "/x"), SIGNED);
    assertEquals("defaults", d.rule());
    assertEquals(Duration.ofMinutes(5), d.maxAge());
  }
}
