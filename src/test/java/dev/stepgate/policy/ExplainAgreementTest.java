package dev.stepgate.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * {@code decide} uses the compiled trie, {@code explain} walks the rules one by one: on random
 * rule tables and requests both must pick the same rule and the same decision, for anonymous
 * callers and for signed-in callers with and without a name and groups, on rules (and defaults)
 * with and without {@code allow}.
 */
class ExplainAgreementTest {
  static final Instant NOW = Instant.parse("2026-11-23T10:00:00Z");
  static final String[] SEGMENTS = {"a", "b", "c", "A", "x1", "*", "**", "x*", "*1", "*.css"};
  static final String[] PATH_SEGMENTS = {"a", "b", "c", "A", "x1", "x2", "1", "s.css", "B"};
  static final String[] METHODS = {"GET", "POST", "PUT", "DELETE"};
  static final String[] REQUEST_METHODS = {"GET", "HEAD", "POST", "put", "DELETE", "PATCH"};
  static final String[] HOSTS = {"a.com", "b.com", "*.a.com"};
  static final String[] REQUEST_HOSTS = {"a.com", "B.com:8080", "x.a.com", "c.com", ""};
  static final String[] USERS = {"bob", "alice", "Bob", "carol"};
  static final String[] GROUPS = {"admins", "finance", "staff", "Admins"};

  @Test
  void decide_and_explain_agreeOnRandomTables() {
    int admitted = 0;
    int refused = 0;
    for (long seed = 1; seed <= 200; seed++) {
      Random rnd = new Random(seed);
      boolean ci = rnd.nextBoolean();
      List<Rule> rules = randomRules(rnd, 1 + rnd.nextInt(40), ci);
      Requirement defaults = Requirement.values()[rnd.nextInt(4)];
      Optional<AllowList> defaultsAllow = defaults == Requirement.AUTHENTICATED || defaults == Requirement.STEP_UP
          ? randomAllow(rnd) : Optional.empty();
      PolicySet set = new PolicySet(rules, defaults, defaultsAllow, ci, List.of());
      for (int q = 0; q < 200; q++) {
        PolicyRequest req = new PolicyRequest(
            pick(rnd, REQUEST_METHODS), pick(rnd, REQUEST_HOSTS), randomPath(rnd));
        AuthState state = randomState(rnd);
        Decision decided = set.decide(req, state);
        Explanation explained = set.explain(req, state);
        long s = seed;
        Supplier<String> ctx = () -> "seed " + s + " request " + req + " state " + state + " rules " + rules;
        assertEquals(explained.decision(), decided, ctx);
        assertEquals(explained.matched().map(Rule::name).orElse("defaults"), decided.rule(), ctx);
        if (decided.reasons().stream().anyMatch(r -> r.endsWith("is in allow.users") || r.endsWith("is in allow.groups"))) {
          admitted++;
        }
        if (decided instanceof Decision.Deny && decided.reasons().stream().anyMatch(r -> r.contains("allow."))) refused++;
      }
    }
    // The tables must exercise allow both ways, or the agreement says nothing about it.
    assertTrue(admitted > 100 && refused > 100, "admitted " + admitted + ", refused " + refused);
  }

  @Test
  void explain_listsRulesPassedOverWithWhy() {
    Explanation e = PolicyDecideTest.SET.explain(
        new PolicyRequest("GET", "app", "/account/email"), PolicyDecideTest.SIGNED);
    assertEquals(6, e.passedOver().size());
    assertEquals(List.of("path /account/email matches none of [/static/**, /favicon.ico]"),
        e.passedOver().get(0).why());
    assertEquals(List.of("method GET is not in [POST]"), e.passedOver().get(2).why());
    assertEquals(List.of("path /account/email matches none of [/payouts/destination]",
        "method GET is not in [POST]", "host app matches none of [bank.example.com]"),
        e.passedOver().get(4).why());
    assertEquals(Optional.empty(), e.matched());
    String text = e.toString();
    assertTrue(text.contains("  matched: defaults\n"), text);
    assertTrue(text.contains("  decision: ALLOW by defaults: no rule matched; defaults require"
        + " authenticated; signed in\n"), text);
  }

  static List<Rule> randomRules(Random rnd, int n, boolean ci) {
    List<Rule> rules = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      List<PathGlob> paths = new ArrayList<>();
      List<String> methods = new ArrayList<>();
      List<HostPattern> hosts = new ArrayList<>();
      if (rnd.nextInt(5) > 0) {
        for (int k = rnd.nextInt(3); k >= 0; k--) paths.add(PathGlob.of(randomGlob(rnd), ci));
      }
      if (rnd.nextInt(3) == 0) {
        for (int k = rnd.nextInt(2); k >= 0; k--) {
          String m = pick(rnd, METHODS);
          if (!methods.contains(m)) methods.add(m);
        }
      }
      if (rnd.nextInt(4) == 0) hosts.add(HostPattern.of(pick(rnd, HOSTS)));
      if (paths.isEmpty() && methods.isEmpty() && hosts.isEmpty()) paths.add(PathGlob.of("/", ci));
      Requirement req = Requirement.values()[rnd.nextInt(4)];
      boolean stepUp = req == Requirement.STEP_UP;
      rules.add(new Rule("r" + i, Optional.empty(), new RuleMatch(paths, methods, hosts), req,
          stepUp ? Optional.of(Duration.ofSeconds(rnd.nextInt(3) * 60L)) : Optional.empty(),
          stepUp && rnd.nextBoolean(),
          stepUp && rnd.nextBoolean() ? Optional.of(Duration.ofDays(1)) : Optional.empty(),
          Optional.empty(), req == Requirement.AUTHENTICATED || stepUp ? randomAllow(rnd) : Optional.empty(),
          new Location("r.yaml", i + 1, 1)));
    }
    return rules;
  }

  /** Half the time no allow; else some users, some groups, or both. */
  static Optional<AllowList> randomAllow(Random rnd) {
    if (rnd.nextBoolean()) return Optional.empty();
    Set<String> users = new HashSet<>();
    Set<String> groups = new HashSet<>();
    int shape = rnd.nextInt(3);
    if (shape != 1) for (int k = rnd.nextInt(2); k >= 0; k--) users.add(pick(rnd, USERS));
    if (shape != 0) for (int k = rnd.nextInt(2); k >= 0; k--) groups.add(pick(rnd, GROUPS));
    return Optional.of(new AllowList(users, groups));
  }

  /** A signed-in state with a random name (sometimes none) and zero to three groups. */
  static AuthState withRandomSubject(Random rnd, AuthState signedIn) {
    if (rnd.nextInt(5) == 0) return signedIn;
    Set<String> groups = new HashSet<>();
    for (int k = rnd.nextInt(4); k > 0; k--) groups.add(pick(rnd, GROUPS));
    return signedIn.withSubject(pick(rnd, USERS), groups);
  }

  static String randomGlob(Random rnd) {
    int len = rnd.nextInt(5);
    if (len == 0) return "/";
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < len; i++) b.append('/').append(pick(rnd, SEGMENTS));
    return b.toString();
  }

  static String randomPath(Random rnd) {
    int len = rnd.nextInt(5);
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < len; i++) b.append('/').append(pick(rnd, PATH_SEGMENTS));
    if (len == 0 || rnd.nextInt(8) == 0) b.append('/');
    return b.toString();
  }

  static AuthState randomState(Random rnd) {
    switch (rnd.nextInt(3)) {
      case 0:
        return AuthState.anonymous(NOW);
      case 1:
        return withRandomSubject(rnd, AuthState.signedIn("u", NOW.minusSeconds(100), NOW));
      default:
        // forRule: none, or one of the first rules (one-time or not), or a rule no longer in force.
        int forRule = rnd.nextInt(6);
        return withRandomSubject(rnd, AuthState.signedIn("u", NOW.minusSeconds(100), NOW)).withStepUp(new AuthState.StepUp(
            NOW.minusSeconds(rnd.nextInt(200)), rnd.nextBoolean(), rnd.nextBoolean(),
            NOW.minusSeconds(rnd.nextInt(200_000)), rnd.nextBoolean(),
            forRule == 0 ? Optional.empty() : Optional.of(forRule == 5 ? "gone" : "r" + (forRule - 1))));
    }
  }

  static <T> T pick(Random rnd, T[] options) {
    return options[rnd.nextInt(options.length)];
  }
}
