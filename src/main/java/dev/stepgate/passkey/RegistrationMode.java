package dev.stepgate.passkey;

import dev.stepgate.config.GatewayConfig;

/** Who may create a new account ({@code registration:} in SPEC section 2). */
public enum RegistrationMode {
  /** Anyone may register a new username. */
  OPEN,
  /** A new username needs a valid invite for it. */
  INVITE,
  /** No new accounts; existing users may still add passkeys to their own account. */
  CLOSED;

  /** The mode the config selects. */
  public static RegistrationMode from(GatewayConfig.Registration r) {
    return switch (r) {
      case OPEN -> OPEN;
      case INVITE -> INVITE;
      case CLOSED -> CLOSED;
    };
  }
}
