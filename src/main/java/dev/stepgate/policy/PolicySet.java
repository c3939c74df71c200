package dev.stepgate.policy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A parsed, validated set of route rules (SPEC section 3), compiled for fast lookup. Rules are in
 * file order then rule order; the first rule that matches decides, and a request no rule matches
 * gets {@link #defaults()}. Immutable and safe to share between threads; built by {@link
 * PolicyParser}.
 */
public final class PolicySet {
  private final List<Rule> rules;
  private final Requirement defaults;
  private final Optional<AllowList> defaultsAllow;
  private final boolean caseInsensitive;
  /** Warnings found while reading the files (e.g. a user name gateway sign-in can never have). */
  private final List<String> readWarnings;
  private final CompiledMatcher matcher;
  /** The {@code max_age: 0s} rules: a step-up confirmed for one of them counts for it alone. */
  private final Set<String> oneTimeRules;
  private volatile List<String> warnings;

  PolicySet(List<Rule> rules, Requirement defaults, boolean caseInsensitive) {
    this(rules, defaults, Optional.empty(), caseInsensitive, List.of());
  }

  PolicySet(List<Rule> rules, Requirement defaults, Optional<AllowList> defaultsAllow,
      boolean caseInsensitive, List<String> readWarnings) {
    this.rules = List.copyOf(rules);
    this.defaults = Objects.requireNonNull(defaults, "defaults");
    this.defaultsAllow = Objects.requireNonNull(defaultsAllow, "defaultsAllow");
    if (defaultsAllow.isPresent() && (defaults == Requirement.PUBLIC || defaults == Requirement.DENY)) {
      throw new IllegalArgumentException("defaults.allow needs defaults.require authenticated or step_up");
    }
    this.readWarnings = List.copyOf(readWarnings);
    this.caseInsensitive = caseInsensitive;
    this.matcher = new CompiledMatcher(this.rules, caseInsensitive);
    var oneTime = new HashSet<String>();
    for (Rule r : this.rules)
      if (r.require() == Requirement.STEP_UP && r.maxAge().filter(Duration::isZero).isPresent()) oneTime.add(r.name());
    this.oneTimeRules = Set.copyOf(oneTime);
  }

  /** The rules in the order they are tried. */
  public List<Rule> rules() {
    return rules;
  }

  /** What a request no rule matches must satisfy. */
  public Requirement defaults() {
    return defaults;
  }

  /** Who may pass a request no rule matches; empty: every caller who meets {@link #defaults()}. */
  public Optional<AllowList> defaultsAllow() {
    return defaultsAllow;
  }

  /** True when paths are matched without regard to letter case. */
  public boolean caseInsensitive() {
    return caseInsensitive;
  }

  /** The rule named {@code name}, if any. */
  public Optional<Rule> rule(String name) {
    return rules.stream().filter(r -> r.name().equals(name)).findFirst();
  }

  /**
   * Decides a request. Never throws: anything unexpected yields a {@link Decision.Deny} with rule
   * {@value Decision#FAIL_CLOSED_RULE}, never an allow.
   */
  public Decision decide(PolicyRequest request, AuthState state) {
    try {
      Optional<Decision> invalid = invalid(request, state);
      if (invalid.isPresent()) return invalid.get();
      int index = matcher.find(request.method(), request.host(), request.canonicalPath());
      return index < 0
          ? Evaluator.evaluateDefaults(defaults, defaultsAllow, state, oneTimeRules)
          : Evaluator.evaluate(rules.get(index), state, oneTimeRules);
    } catch (RuntimeException | StackOverflowError e) {
      return failClosed("policy evaluation failed (" + e.getClass().getSimpleName() + ")");
    }
  }

  /**
   * Explains a request: the rules passed over and why, the rule that matched (or defaults) and the
   * decision. Walks the rules one by one, independently of the compiled matcher {@link #decide}
   * uses; both always agree.
   */
  public Explanation explain(PolicyRequest request, AuthState state) {
    List<Explanation.PassedOver> passed = new ArrayList<>();
    try {
      Optional<Decision> invalid = invalid(request, state);
      if (invalid.isPresent()) return new Explanation(request, passed, Optional.empty(), invalid.get());
      String method = request.method().toUpperCase(Locale.ROOT);
      String host = HostPattern.normalize(request.host());
      for (Rule r : rules) {
        List<String> why = r.match().mismatches(method, host, request.canonicalPath());
        if (why.isEmpty()) {
          return new Explanation(request, passed, Optional.of(r), Evaluator.evaluate(r, state, oneTimeRules));
        }
        passed.add(new Explanation.PassedOver(r.name(), r.location(), why));
      }
      return new Explanation(
          request, passed, Optional.empty(), Evaluator.evaluateDefaults(defaults, defaultsAllow, state, oneTimeRules));
    } catch (RuntimeException | StackOverflowError e) {
      Decision d = failClosed("policy evaluation failed (" + e.getClass().getSimpleName() + ")");
      return new Explanation(request, passed, Optional.empty(), d);
    }
  }

  /**
   * Problems that do not stop the set from working, each as {@code file:line:col: message}: names
   * in {@code allow.users} that gateway sign-in can never produce, then rules that can never match
   * because an earlier rule matches everything they do.
   */
  public List<String> warnings() {
    List<String> w = warnings;
    if (w == null) {
      List<String> all = new ArrayList<>(readWarnings);
      all.addAll(PolicyCheck.shadowed(rules));
      w = List.copyOf(all);
      warnings = w;
    }
    return w;
  }

  private static Optional<Decision> invalid(PolicyRequest request, AuthState state) {
    if (request == null || state == null) return Optional.of(failClosed("no request or no state"));
    if (!request.canonicalPath().startsWith("/")) {
      return Optional.of(failClosed("the path does not start with '/'"));
    }
    return Optional.empty();
  }

  private static Decision failClosed(String why) {
    return new Decision.Deny(Decision.FAIL_CLOSED_RULE, Requirement.DENY, List.of(why));
  }

  @Override
  public String toString() {
    return "PolicySet[" + rules.size() + " rules, defaults " + defaults + "]";
  }
}
