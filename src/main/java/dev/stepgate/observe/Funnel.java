package dev.stepgate.observe;

import java.util.Objects;

/**
 * The rollout funnel, handed to what reports ceremonies: by kind, outcome and platform ({@link
 * CeremonyMetrics}), for step-ups by rule ({@link DecisionMetrics}), and the dependency failures
 * that interrupt it ({@link StoreErrors}).
 */
public record Funnel(CeremonyMetrics ceremonies, DecisionMetrics rules, StoreErrors storeErrors) {
  public Funnel {
    Objects.requireNonNull(ceremonies, "ceremonies");
    Objects.requireNonNull(rules, "rules");
    Objects.requireNonNull(storeErrors, "storeErrors");
  }
}
