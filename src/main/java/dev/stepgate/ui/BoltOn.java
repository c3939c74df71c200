package dev.stepgate.ui;

import dev.stepgate.admission.AppSessionCaller;

/**
 * What the pages and their API need of bolt-on mode (SPEC section 8): who the caller is comes from
 * the app's own session ({@code caller}), and how a user without a passkey gets their first one.
 *
 * @param caller the bolt-on caller source, the same one the admission core asks
 * @param inviteRequired {@code first_enrollment: invite}: the first passkey needs an enrollment
 *     link; false for {@code on_step_up}, where the app session alone lets the user enroll
 */
public record BoltOn(AppSessionCaller caller, boolean inviteRequired) {
  public BoltOn {
    if (caller == null) throw new IllegalArgumentException("caller must not be null");
  }

  /** The {@code first_enrollment} value, as the pages and problems name it. */
  public String firstEnrollment() {
    return inviteRequired ? "invite" : "on_step_up";
  }
}
