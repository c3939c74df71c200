package dev.stepgate.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * {@code decide} uses the compiled trie, {@code explain} walks the rules one by one: on random
 * rule tables and requests both must pick the same rule and the same decision.
 */
class ExplainAgreementTest {
  static final Instant NOW = Instant.parse("2026-11-23T10:00:00Z");
  static final String[] SEGMENTS = {"a", "b", "c", "A", "x1", "*", "**", "x*", "*1", "*.css"};
  static final String[] PATH_SEGMENTS = {"a", "b", "c", "A", "x1", "x2", "1", "s.css", "B"};
  static final String[] METHODS = {"GET", "POST", "PUT", "DELETE"};
  static final String[] REQUEST_METHODS = {"GET", "HEAD", "POST", "put", "DELETE", "PATCH"};
  static final String[] HOSTS = {"a.com", "b.com", "*.a.com"};
  static final String[] REQUEST_HOSTS = {"a.com", "B.com:8080", "x.a.com", "c.com", ""};

  @Test
  void decide_and_explain_agreeOnRandomTables() {
    for (long seed = 1; seed <= 200; seed++) {
      Random rnd = new Random(seed);
      boolean ci = rnd.nextBoolean();
      List<Rule> rules = randomRules(rnd, 1 + rnd.nextInt(40), ci);
      PolicySet set = new PolicySet(rules, Requirement.values()[rnd.nextInt(4)], ci);
      for (int q = 0; q < 200; q++) {
        PolicyRequest req = new PolicyRequest(
            pick(rnd, REQUEST_METHODS), pick(rnd, REQUEST_HOSTS), randomPath(rnd));
        AuthState state = randomState(rnd);
        Decision decided = set.decide(req, state);
        Explanation explained = set.explain(req, state);
        long s = seed;
        Supplier<String> ctx = () -> "seed " + s + " request " + req + " rules " + rules;
        assertEquals(explained.decision(), decided, ctx);
        assertEquals(explained.matched().map(Rule::name).orElse("defaults"), decided.rule(), ctx);
      }
    }
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
          Optional.empty(), new Location("r.yaml", i + 1, 1)));
    }
    return rules;
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
        return AuthState.signedIn("u", NOW.minusSeconds(100), NOW);
      default:
        // forRule: none, or one of the first rules (one-time or not), or a rule no longer in force.
        int forRule = rnd.nextInt(6);
        return AuthState.signedIn("u", NOW.minusSeconds(100), NOW).withStepUp(new AuthState.StepUp(
            NOW.minusSeconds(rnd.nextInt(200)), rnd.nextBoolean(), rnd.nextBoolean(),
            NOW.minusSeconds(rnd.nextInt(200_000)), rnd.nextBoolean(),
            forRule == 0 ? Optional.empty() : Optional.of(forRule == 5 ? "gone" : "r" + (forRule - 1))));
    }
  }

  static <T> T pick(Random rnd, T[] options) {
    return options[rnd.nextInt(options.length)];
  }
}
