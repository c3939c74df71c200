package dev.stepgate.policy;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Why a request got its decision: the rules tried before the one that matched, each with what did
 * not match, the matching rule (empty when {@code defaults} applied), and the decision.
 */
public record Explanation(
    PolicyRequest request, List<PassedOver> passedOver, Optional<Rule> matched, Decision decision) {

  public Explanation {
    passedOver = List.copyOf(passedOver);
    Objects.requireNonNull(matched, "matched");
    Objects.requireNonNull(decision, "decision");
  }

  /** A rule that did not match, and each criterion that failed. */
  public record PassedOver(String rule, Location location, List<String> why) {
    public PassedOver {
      Objects.requireNonNull(rule, "rule");
      Objects.requireNonNull(location, "location");
      why = List.copyOf(why);
    }

    @Override
    public String toString() {
      return rule + " (" + location + "): " + String.join("; ", why);
    }
  }

  /** The matched rule as {@code name (file:line:col)}, or {@code defaults}. */
  public String matchedLabel() {
    return matched.map(r -> r.name() + " (" + r.location() + ")").orElse(Decision.DEFAULTS_RULE);
  }

  /** One line: {@code ALLOW|LOGIN|STEP_UP|DENY by <rule>: reason; reason}. */
  public static String render(Decision d) {
    return kind(d) + " by " + d.rule() + ": " + String.join("; ", d.reasons())
        + (d instanceof Decision.StepUp s && s.refusal().isPresent() ? " [refusal]" : "");
  }

  /** The decision's kind in capitals, e.g. {@code STEP_UP}. */
  public static String kind(Decision d) {
    if (d instanceof Decision.Allow) return "ALLOW";
    if (d instanceof Decision.Login) return "LOGIN";
    if (d instanceof Decision.StepUp) return "STEP_UP";
    return "DENY";
  }

  @Override
  public String toString() {
    StringBuilder b = new StringBuilder();
    b.append(request.method()).append(' ').append(request.canonicalPath());
    if (!request.host().isEmpty()) b.append(" (host ").append(request.host()).append(')');
    b.append('\n');
    for (PassedOver p : passedOver) b.append("  passed over: ").append(p).append('\n');
    b.append("  matched: ").append(matchedLabel()).append('\n');
    b.append("  decision: ").append(render(decision)).append('\n');
    return b.toString();
  }
}
