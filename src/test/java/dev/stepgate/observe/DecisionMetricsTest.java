package dev.stepgate.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.stepgate.admission.EntryPoint;
import dev.stepgate.policy.AuthState;
import dev.stepgate.policy.PolicyParser;
import dev.stepgate.policy.PolicyRequest;
import dev.stepgate.policy.PolicySet;
import dev.stepgate.policy.PolicySource;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class DecisionMetricsTest {
  private static PolicySet policy(String rules) {
    return PolicyParser.parse(List.of(new PolicySource("p.yaml",
        "version: 1\ndefaults: { require: authenticated }\nrules:\n" + rules)), false);
  }

  private static final String TWO = """
        - { name: open, match: { paths: ["/open/**"] }, require: public }
        - { name: pay, match: { paths: ["/pay/**"] }, require: step_up }
      """;

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  private double count(String name, String... tags) {
    var c = registry.find(name).tags(tags).counter();
    return c == null ? 0 : c.count();
  }

  @Test
  void decided_countsByRuleAndDecision_stepUpAlsoPrompted() {
    var set = new AtomicReference<>(policy(TWO));
    var metrics = new DecisionMetrics(registry, set::get, List.of("stepgate:add-passkey"));
    var anon = AuthState.anonymous(Instant.EPOCH);
    var signedIn = AuthState.signedIn("u1", Instant.EPOCH, Instant.EPOCH);
    metrics.decided(set.get().decide(new PolicyRequest("GET", "h", "/open/x"), anon), EntryPoint.RELAY);
    metrics.decided(set.get().decide(new PolicyRequest("GET", "h", "/pay/x"), signedIn), EntryPoint.PROXY);
    metrics.decided(set.get().decide(new PolicyRequest("GET", "h", "/other"), anon), EntryPoint.PROXY);
    assertEquals(1, count("stepgate.decisions", "rule", "open", "decision", "allow"));
    assertEquals(1, count("stepgate.decisions", "rule", "pay", "decision", "step_up"));
    assertEquals(1, count("stepgate.step_ups", "rule", "pay", "outcome", "prompted"));
    assertEquals(1, count("stepgate.decisions", "rule", "defaults", "decision", "login"));
  }

  @Test
  void unknownRuleNames_countUnderOther_accountActionsKeepTheirName() {
    var set = new AtomicReference<>(policy(TWO));
    var metrics = new DecisionMetrics(registry, set::get, List.of("stepgate:add-passkey"));
    metrics.stepUpAbandoned("not-a-rule");
    metrics.stepUpPassed("stepgate:add-passkey");
    metrics.stepUpFailed("");
    assertEquals(1, count("stepgate.step_ups", "rule", "other", "outcome", "abandoned"));
    assertEquals(1, count("stepgate.step_ups", "rule", "stepgate:add-passkey", "outcome", "passed"));
    assertEquals(1, count("stepgate.step_ups", "rule", "other", "outcome", "failed"));
  }

  @Test
  void reload_keepsOldRulesAndLabelsNewOnes() {
    var set = new AtomicReference<>(policy(TWO));
    var metrics = new DecisionMetrics(registry, set::get, List.of());
    metrics.stepUpPassed("pay");
    set.set(policy("    - { name: admin, match: { paths: [\"/admin/**\"] }, require: deny }\n"));
    metrics.stepUpPassed("admin");
    metrics.stepUpPassed("pay"); // a decision made from the old set while the new one came in
    assertEquals("admin", metrics.ruleLabel("admin"));
    assertEquals(2, count("stepgate.step_ups", "rule", "pay", "outcome", "passed"));
    assertEquals(1, count("stepgate.step_ups", "rule", "admin", "outcome", "passed"));
  }

  @Test
  void ruleLabels_areBounded() {
    var many = IntStream.range(0, RuleMeters.MAX_RULES + 50)
        .mapToObj(i -> "    - { name: r" + i + ", match: { paths: [\"/r" + i + "\"] }, require: public }\n")
        .collect(Collectors.joining());
    var set = policy(many);
    var metrics = new DecisionMetrics(registry, () -> set, List.of());
    assertEquals("r0", metrics.ruleLabel("r0"));
    assertEquals("r" + (RuleMeters.MAX_RULES - 1), metrics.ruleLabel("r" + (RuleMeters.MAX_RULES - 1)));
    assertEquals(RuleMeters.OTHER, metrics.ruleLabel("r" + RuleMeters.MAX_RULES));
    assertEquals(RuleMeters.OTHER, metrics.ruleLabel(null));
  }

  @Test
  void of_returnsTheSameMetersForTheSameRule() {
    var set = policy(TWO);
    var rules = new RuleMeters<Object>(() -> set, List.of(), name -> new Object());
    assertSame(rules.of("pay"), rules.of(new String("pay")));
  }
}
