package dev.stepgate.policy;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The outcome of {@link PolicySet#decide}: exactly one of allow, sign in, step up, or deny, with
 * the rule that decided ({@value #DEFAULTS_RULE} when none matched) and plain-language reasons.
 * One place in the gateway turns a decision into an HTTP response (SPEC section 5).
 */
public sealed interface Decision {
  /** The rule name reported when no rule matched and {@code defaults.require} decided. */
  String DEFAULTS_RULE = "defaults";

  /** The rule name reported when evaluation failed and the request was denied to fail closed. */
  String FAIL_CLOSED_RULE = "fail-closed";

  /** The name of the rule that decided. */
  String rule();

  /** The requirement that was applied. */
  Requirement requirement();

  /** Why, in plain language, first reason first. */
  List<String> reasons();

  /**
   * Forward the request.
   *
   * @param passedStepUp true when a {@code step_up} rule was satisfied (the {@code acr} claim)
   * @param consumesStepUp true when the rule has {@code max_age: 0s}: the caller must mark the
   *     step-up consumed before forwarding, so it authorizes exactly one request
   * @param audience the rule's {@code audience}, overriding the assertion's {@code aud}
   */
  record Allow(
      String rule,
      Requirement requirement,
      List<String> reasons,
      boolean passedStepUp,
      boolean consumesStepUp,
      Optional<String> audience,
      Optional<String> description)
      implements Decision {
    public Allow {
      reasons = checked(rule, requirement, reasons);
      Objects.requireNonNull(audience, "audience");
      Objects.requireNonNull(description, "description");
      if (requirement == Requirement.DENY) throw new IllegalArgumentException("deny never allows");
      if (consumesStepUp && !passedStepUp) {
        throw new IllegalArgumentException("only a step-up allow can consume a step-up");
      }
    }
  }

  /** The caller must sign in first. */
  record Login(String rule, Requirement requirement, List<String> reasons) implements Decision {
    public Login {
      reasons = checked(rule, requirement, reasons);
    }
  }

  /**
   * The caller must prove presence again with a user-verified passkey assertion.
   *
   * @param maxAge how old the new assertion may be when it is used ({@link Duration#ZERO}: one
   *     request)
   * @param refusal present when the passkey used last can never satisfy this rule, saying why in
   *     words the prompt can show
   */
  record StepUp(
      String rule,
      Requirement requirement,
      List<String> reasons,
      Optional<String> description,
      Duration maxAge,
      boolean deviceBound,
      Optional<Duration> minCredentialAge,
      Optional<String> refusal)
      implements Decision {
    public StepUp {
      reasons = checked(rule, requirement, reasons);
      Objects.requireNonNull(description, "description");
      Objects.requireNonNull(maxAge, "maxAge");
      Objects.requireNonNull(minCredentialAge, "minCredentialAge");
      Objects.requireNonNull(refusal, "refusal");
      if (maxAge.isNegative()) throw new IllegalArgumentException("maxAge must not be negative");
    }

    /** {@link #maxAge()} in whole seconds, for {@code WWW-Authenticate: ... max_age=N}. */
    public long maxAgeSeconds() {
      return maxAge.toSeconds();
    }
  }

  /** Nobody may pass. */
  record Deny(String rule, Requirement requirement, List<String> reasons) implements Decision {
    public Deny {
      reasons = checked(rule, requirement, reasons);
    }
  }

  private static List<String> checked(String rule, Requirement requirement, List<String> reasons) {
    Objects.requireNonNull(rule, "rule");
    Objects.requireNonNull(requirement, "requirement");
    List<String> copy = List.copyOf(reasons);
    if (copy.isEmpty()) throw new IllegalArgumentException("reasons must not be empty");
    return copy;
  }
}
