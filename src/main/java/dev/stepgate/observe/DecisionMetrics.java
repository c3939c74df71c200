package dev.stepgate.observe;

import dev.stepgate.admission.DecisionListener;
import dev.stepgate.admission.EntryPoint;
import dev.stepgate.policy.Decision;
import dev.stepgate.policy.PolicySet;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.function.Supplier;

/**
 * The per-rule funnel (SPEC section 9): {@code stepgate_decisions_total{rule,decision}} for every
 * decision of the pipeline on every entry point, and {@code stepgate_step_ups_total{rule,outcome}}
 * with outcome {@code prompted} (a request was answered with a step-up challenge), {@code passed}
 * and {@code failed} (the step-up ceremony's verification), and {@code abandoned} (the page
 * reported that the browser's ceremony ended without an assertion: cancelled, timed out, aborted).
 *
 * <p>Called on the relay's hot path: the rule's counters are found by {@link RuleMeters} (an array
 * probe), and each counter is registered the first time its series is counted, then kept.
 */
public final class DecisionMetrics implements DecisionListener {
  private final MeterRegistry metrics;
  private final RuleMeters<ForRule> rules;

  public DecisionMetrics(MeterRegistry metrics, Supplier<PolicySet> policies, List<String> fixedRules) {
    this.metrics = metrics;
    this.rules = new RuleMeters<>(policies, fixedRules, ForRule::new);
  }

  @Override
  public void decided(Decision d, EntryPoint entry) {
    var r = rules.of(d.rule());
    if (d instanceof Decision.Allow) r.allowed().increment();
    else if (d instanceof Decision.Login) r.login().increment();
    else if (d instanceof Decision.StepUp) {
      r.stepUp().increment();
      r.prompted().increment();
    } else r.denied().increment();
  }

  /** A step-up ceremony for {@code rule} (or an account action's name) verified. */
  public void stepUpPassed(String rule) {
    rules.of(rule).passed().increment();
  }

  /** A step-up ceremony for {@code rule} was refused by the gateway. */
  public void stepUpFailed(String rule) {
    rules.of(rule).failed().increment();
  }

  /** The browser's step-up ceremony for {@code rule} ended without an assertion. */
  public void stepUpAbandoned(String rule) {
    rules.of(rule).abandoned().increment();
  }

  /** The label {@code rule} is counted under ({@value RuleMeters#OTHER} when it has none). */
  public String ruleLabel(String rule) {
    return rules.label(rule);
  }

  /** One rule's series, each registered at its first use (a rule rarely produces every decision). */
  private final class ForRule {
    private final String rule;
    private volatile Counter allowed, login, stepUp, denied, prompted, passed, failed, abandoned;

    ForRule(String rule) {
      this.rule = rule;
    }

    Counter allowed() {
      var c = allowed;
      return c != null ? c : (allowed = decision("allow"));
    }

    Counter login() {
      var c = login;
      return c != null ? c : (login = decision("login"));
    }

    Counter stepUp() {
      var c = stepUp;
      return c != null ? c : (stepUp = decision("step_up"));
    }

    Counter denied() {
      var c = denied;
      return c != null ? c : (denied = decision("deny"));
    }

    Counter prompted() {
      var c = prompted;
      return c != null ? c : (prompted = stepUps("prompted"));
    }

    Counter passed() {
      var c = passed;
      return c != null ? c : (passed = stepUps("passed"));
    }

    Counter failed() {
      var c = failed;
      return c != null ? c : (failed = stepUps("failed"));
    }

    Counter abandoned() {
      var c = abandoned;
      return c != null ? c : (abandoned = stepUps("abandoned"));
    }

    // A race registers the same series twice: the registry hands back the one meter both times.
    private Counter decision(String decision) {
      return Counter.builder("stepgate.decisions").description("Decisions of the admission pipeline, by rule")
          .tag("rule", rule).tag("decision", decision).register(metrics);
    }

    private Counter stepUps(String outcome) {
      return Counter.builder("stepgate.step_ups").description("Step-ups by rule: prompted, passed, failed, abandoned")
          .tag("rule", rule).tag("outcome", outcome).register(metrics);
    }
  }
}
