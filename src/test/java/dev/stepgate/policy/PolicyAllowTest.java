package dev.stepgate.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** Table-driven: who may pass a rule with {@code allow} (SPEC section 3). */
class PolicyAllowTest {
  static final Instant NOW = PolicyDecideTest.NOW;

  static final PolicySet SET = PolicyParserTest.parse("""
      version: 1
      defaults:
        require: authenticated
        allow: {groups: [staff]}
      rules:
        - name: assets
          match: {paths: ["/static/**"]}
          require: public
        - name: admin
          match: {paths: ["/admin/**"]}
          require: step_up
          max_age: 10m
          allow: {groups: [admins]}
        - name: payouts
          match: {paths: ["/payouts/**"]}
          require: authenticated
          allow: {users: [bob], groups: [finance, auditors]}
        - name: reports
          match: {paths: ["/reports"]}
          require: authenticated
          allow: {users: [carol]}
        - name: everyone
          match: {paths: ["/hello"]}
          require: authenticated
      """);

  static final AuthState ANON = AuthState.anonymous(NOW);
  static AuthState signed(String user, String... groups) {
    return AuthState.signedIn("id-" + user, NOW.minusSeconds(3600), NOW).withSubject(user, Set.of(groups));
  }
  static AuthState fresh(String user, String... groups) {
    return signed(user, groups).withStepUp(PolicyDecideTest.stepUp(30, true, false, 30 * 86400, false));
  }
  /** Signed in, but the decider was not told the name (nor any group). */
  static final AuthState NAMELESS = AuthState.signedIn("id-x", NOW.minusSeconds(3600), NOW);

  static Arguments row(String path, AuthState state, Class<? extends Decision> kind, String rule, String... reasons) {
    return Arguments.of("GET " + path + " as " + state.username().orElse(state.signedIn() ? "nameless" : "anonymous")
        + " " + state.groups() + (state.stepUp().isPresent() ? " stepped up" : ""),
        new PolicyRequest("GET", "app", path), state, kind, rule, List.of(reasons));
  }

  static Stream<Arguments> table() {
    String admin = "rule 'admin' requires step_up within 10m";
    String payouts = "rule 'payouts' requires authenticated";
    String reports = "rule 'reports' requires authenticated";
    String defaults = "no rule matched; defaults require authenticated";
    return Stream.of(
        // By group, on a step_up rule: membership is checked before the step-up.
        row("/admin/users", ANON, Decision.Login.class, "admin", admin, "not signed in"),
        row("/admin/users", signed("alice", "admins"), Decision.StepUp.class, "admin",
            admin, "group 'admins' is in allow.groups", "no step-up in this session"),
        row("/admin/users", fresh("alice", "admins", "staff"), Decision.Allow.class, "admin",
            admin, "group 'admins' is in allow.groups", "step-up 30s ago satisfies it"),
        // An outsider is refused and never prompted, stepped up or not.
        row("/admin/users", signed("mallory", "staff"), Decision.Deny.class, "admin",
            admin, "no group of user 'mallory' is in allow.groups [admins]"),
        row("/admin/users", fresh("mallory"), Decision.Deny.class, "admin",
            admin, "user 'mallory' has no groups; allow.groups is [admins]"),
        // A user name in allow.users is not a group name, and vice versa.
        row("/admin/users", fresh("admins"), Decision.Deny.class, "admin",
            admin, "user 'admins' has no groups; allow.groups is [admins]"),
        // Either list may let a caller in.
        row("/payouts/1", signed("bob"), Decision.Allow.class, "payouts",
            payouts, "signed in", "user 'bob' is in allow.users"),
        row("/payouts/1", signed("bob", "finance"), Decision.Allow.class, "payouts",
            payouts, "signed in", "user 'bob' is in allow.users"),
        row("/payouts/1", signed("dave", "finance"), Decision.Allow.class, "payouts",
            payouts, "signed in", "group 'finance' is in allow.groups"),
        row("/payouts/1", signed("dave", "finance", "auditors"), Decision.Allow.class, "payouts",
            payouts, "signed in", "group 'auditors' is in allow.groups"),
        row("/payouts/1", signed("eve", "staff", "dev"), Decision.Deny.class, "payouts",
            payouts, "user 'eve' is not in allow.users",
            "no group of user 'eve' is in allow.groups [finance, auditors]"),
        row("/payouts/1", ANON, Decision.Login.class, "payouts", payouts, "not signed in"),
        // Names are case-sensitive.
        row("/payouts/1", signed("Bob", "Finance"), Decision.Deny.class, "payouts",
            payouts, "user 'Bob' is not in allow.users",
            "no group of user 'Bob' is in allow.groups [finance, auditors]"),
        // Users only.
        row("/reports", signed("carol"), Decision.Allow.class, "reports", reports, "signed in",
            "user 'carol' is in allow.users"),
        row("/reports", signed("bob", "carol"), Decision.Deny.class, "reports", reports,
            "user 'bob' is not in allow.users"),
        row("/reports", NAMELESS, Decision.Deny.class, "reports", reports,
            "the caller (name unknown) is not in allow.users"),
        // No allow: every signed-in caller.
        row("/hello", signed("eve"), Decision.Allow.class, "everyone", "rule 'everyone' requires authenticated",
            "signed in"),
        row("/static/a.css", ANON, Decision.Allow.class, "assets", "rule 'assets' requires public"),
        // Defaults with allow.
        row("/elsewhere", ANON, Decision.Login.class, "defaults", defaults, "not signed in"),
        row("/elsewhere", signed("eve", "staff"), Decision.Allow.class, "defaults", defaults, "signed in",
            "group 'staff' is in allow.groups"),
        row("/elsewhere", signed("bob", "finance"), Decision.Deny.class, "defaults", defaults,
            "no group of user 'bob' is in allow.groups [staff]"));
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
  void allow_outsiderOnStepUpRule_isDeniedWithTheRulesRequirement() {
    Decision d = SET.decide(new PolicyRequest("POST", "app", "/admin/x"), fresh("mallory", "staff"));
    Decision.Deny deny = assertInstanceOf(Decision.Deny.class, d);
    assertEquals(Requirement.STEP_UP, deny.requirement());
  }

  @Test
  void allow_firstMatchDecides_anOutsiderDoesNotFallThrough() {
    PolicySet set = PolicyParserTest.parse("""
        version: 1
        rules:
          - name: admin
            match: {paths: ["/admin/**"]}
            require: authenticated
            allow: {groups: [admins]}
          - name: admin-open
            match: {paths: ["/admin/help"]}
            require: public
        """);
    Decision d = set.decide(new PolicyRequest("GET", "app", "/admin/help"), signed("eve"));
    assertInstanceOf(Decision.Deny.class, d);
    assertEquals("admin", d.rule());
  }

  @Test
  void allow_oneTimeStepUpRule_insiderConsumesAsUsual() {
    PolicySet set = PolicyParserTest.parse("""
        version: 1
        rules:
          - name: send
            match: {paths: ["/send"]}
            require: step_up
            max_age: 0s
            allow: {users: [bob]}
        """);
    AuthState bob = signed("bob").withStepUp(new AuthState.StepUp(NOW.minusSeconds(5), true, false,
        NOW.minusSeconds(86400), false, Optional.of("send")));
    Decision.Allow d = assertInstanceOf(Decision.Allow.class, set.decide(new PolicyRequest("POST", "h", "/send"), bob));
    assertEquals(true, d.consumesStepUp());
    assertEquals(List.of("rule 'send' requires step_up for each request (max_age 0s)",
        "user 'bob' is in allow.users", "step-up 5s ago satisfies it"), d.reasons());
  }
}
