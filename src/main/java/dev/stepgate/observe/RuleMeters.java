package dev.stepgate.observe;

import dev.stepgate.policy.Decision;
import dev.stepgate.policy.PolicySet;
import dev.stepgate.policy.Rule;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Meters per rule, made once per rule name when a policy set comes into force and found per
 * request by an array probe: the rule name's cached hash, then a reference compare (a decision's
 * rule name is the rule's own string). No registry lookup, no {@code Tags}, nothing allocated.
 *
 * <p>Cardinality stays bounded: the rules of the sets in force so far (meters are never removed,
 * so a counter never goes back), at most {@link #MAX_RULES} of them, plus {@value
 * Decision#DEFAULTS_RULE}, {@value Decision#FAIL_CLOSED_RULE}, the caller's fixed names and
 * {@value #OTHER}, which takes every name beyond those (and any name that is not a rule).
 */
public final class RuleMeters<T> {
  /** Rule names that get a label of their own; further rules count under {@value #OTHER}. */
  public static final int MAX_RULES = 256;

  /** The label of every rule name without a label of its own. */
  public static final String OTHER = "other";

  private final Supplier<PolicySet> policies;
  private final Function<String, T> make;
  private final List<String> fixed;
  private volatile Table<T> table;

  /**
   * @param fixed names that always have a label (the gateway's own step-up actions)
   * @param make the meters for one rule label; called once per label
   */
  public RuleMeters(Supplier<PolicySet> policies, List<String> fixed, Function<String, T> make) {
    this.policies = Objects.requireNonNull(policies, "policies");
    this.make = Objects.requireNonNull(make, "make");
    this.fixed = List.copyOf(fixed);
    this.table = build(null, policies.get());
  }

  /** The meters of {@code rule}; those of {@value #OTHER} when it has no label. Never null. */
  public T of(String rule) {
    var t = table;
    var set = policies.get();
    if (t.source != set) t = refresh(set);
    return t.find(rule);
  }

  /** The label {@code rule} is counted under. */
  public String label(String rule) {
    var t = table;
    return t.labelOf(rule);
  }

  private synchronized Table<T> refresh(PolicySet set) {
    var t = table;
    if (t.source == set) return t;
    t = build(t, set);
    table = t;
    return t;
  }

  private Table<T> build(Table<T> previous, PolicySet set) {
    var meters = new LinkedHashMap<String, T>();
    if (previous != null) previous.copyInto(meters);
    for (var name : fixed) meters.computeIfAbsent(name, make);
    meters.computeIfAbsent(Decision.DEFAULTS_RULE, make);
    meters.computeIfAbsent(Decision.FAIL_CLOSED_RULE, make);
    var other = meters.computeIfAbsent(OTHER, make);
    int budget = MAX_RULES + fixed.size() + 3;
    for (Rule r : set.rules()) {
      if (meters.size() >= budget) break;
      meters.computeIfAbsent(r.name(), make);
    }
    return new Table<>(set, meters, other);
  }

  /** An open-addressing table, immutable once built. */
  private static final class Table<T> {
    final PolicySet source;
    final String[] keys;
    final Object[] values;
    final int mask;
    final T other;

    Table(PolicySet source, LinkedHashMap<String, T> meters, T other) {
      this.source = source;
      this.other = other;
      int size = Integer.highestOneBit(Math.max(4, meters.size() * 2 + 1) - 1) << 1;
      keys = new String[size];
      values = new Object[size];
      mask = size - 1;
      for (var e : meters.entrySet()) {
        int i = slot(e.getKey());
        while (keys[i] != null) i = (i + 1) & mask;
        keys[i] = e.getKey();
        values[i] = e.getValue();
      }
    }

    private int slot(String key) {
      int h = key.hashCode();
      return (h ^ (h >>> 16)) & mask;
    }

    private int index(String rule) {
      if (rule == null) return -1;
      for (int i = slot(rule); keys[i] != null; i = (i + 1) & mask) {
        var k = keys[i];
        if (k == rule || k.equals(rule)) return i;
      }
      return -1;
    }

    @SuppressWarnings("unchecked")
    T find(String rule) {
      int i = index(rule);
      return i < 0 ? other : (T) values[i];
    }

    String labelOf(String rule) {
      int i = index(rule);
      return i < 0 ? OTHER : keys[i];
    }

    @SuppressWarnings("unchecked")
    void copyInto(LinkedHashMap<String, T> out) {
      var found = new ArrayList<Integer>();
      for (int i = 0; i < keys.length; i++) if (keys[i] != null) found.add(i);
      for (int i : found) out.put(keys[i], (T) values[i]);
    }
  }
}
