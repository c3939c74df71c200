package dev.stepgate.stepup;

import java.util.Optional;

/**
 * A change to the account itself that needs a fresh step-up made for exactly that action (SPEC
 * section 4): adding a passkey, revoking one, new recovery codes. Each has a reserved name that
 * the session's {@link Session.StepUpRecord#forRule()} carries; no policy rule can take it (rule
 * names may not contain {@code ':'}), so a step-up confirmed for a policy rule never authorizes an
 * account action, and one confirmed for an account action never counts for a one-time ({@code
 * max_age: 0s}) rule.
 */
public enum AccountAction {
  ADD_PASSKEY("stepgate:add-passkey", "Add a passkey"),
  REVOKE_PASSKEY("stepgate:revoke-passkey", "Remove a passkey"),
  /** For {@code POST /.stepgate/api/recovery/codes} once recovery codes exist. */
  RENEW_RECOVERY_CODES("stepgate:renew-recovery-codes", "Get new recovery codes");

  private final String ruleName;
  private final String title;

  AccountAction(String ruleName, String title) {
    this.ruleName = ruleName;
    this.title = title;
  }

  /** The reserved name a step-up for this action records, e.g. {@code stepgate:add-passkey}. */
  public String ruleName() {
    return ruleName;
  }

  /** What the prompt calls it, e.g. "Add a passkey". */
  public String title() {
    return title;
  }

  /** The action with this reserved name, if any. */
  public static Optional<AccountAction> named(String ruleName) {
    for (var a : values()) if (a.ruleName.equals(ruleName)) return Optional.of(a);
    return Optional.empty();
  }
}
