package dev.stepgate.ui;

import dev.stepgate.StepgateException;
import dev.stepgate.stepup.AccountAction;
import java.time.Duration;

/**
 * An account action ({@link AccountAction}) was asked for without a fresh step-up made for it.
 * Answered like every API step-up challenge (RFC 9470 §3): 401, {@code WWW-Authenticate: Bearer
 * error="insufficient_user_authentication", …, max_age=N} and problem JSON {@code
 * step-up-required} naming the action as {@code rule} and its {@code maxAge}.
 */
final class AccountStepUpRequired extends StepgateException {
  private static final long serialVersionUID = 1L;

  private final AccountAction action;
  private final long maxAgeSeconds;

  AccountStepUpRequired(AccountAction action, Duration maxAge) {
    super("step-up-required", 401, "To " + action.title().toLowerCase(java.util.Locale.ROOT)
        + ", first confirm it's you with one of your passkeys.");
    this.action = action;
    // Whole seconds, rounded up: a sub-second max age must not read as max_age=0 (one-time).
    this.maxAgeSeconds = (maxAge.toMillis() + 999) / 1000;
  }

  AccountAction action() {
    return action;
  }

  long maxAgeSeconds() {
    return maxAgeSeconds;
  }
}
