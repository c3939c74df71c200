package dev.stepgate.policy;

import java.util.Optional;

/** What a rule demands of the caller (SPEC section 3), in increasing order of strictness. */
public enum Requirement {
  /** Anyone may pass, signed in or not. */
  PUBLIC("public"),
  /** The caller must be signed in. */
  AUTHENTICATED("authenticated"),
  /** The caller must be signed in and hold a fresh user-verified passkey assertion. */
  STEP_UP("step_up"),
  /** Nobody passes. */
  DENY("deny");

  private final String yamlName;

  Requirement(String yamlName) {
    this.yamlName = yamlName;
  }

  /** The spelling used in policy files, e.g. {@code step_up}. */
  public String yamlName() {
    return yamlName;
  }

  /** The requirement spelled {@code name} in a policy file, if any. */
  public static Optional<Requirement> fromYaml(String name) {
    for (Requirement r : values()) {
      if (r.yamlName.equals(name)) return Optional.of(r);
    }
    return Optional.empty();
  }

  @Override
  public String toString() {
    return yamlName;
  }
}
