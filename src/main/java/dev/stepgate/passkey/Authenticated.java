package dev.stepgate.passkey;

import dev.stepgate.credential.User;
import java.time.Instant;

/**
 * A verified assertion (sign-in or step-up).
 *
 * @param user whose passkey it was
 * @param credentialId base64url credential id
 * @param userVerified the UV flag of this assertion (WebAuthn L3 §6.1)
 * @param backupEligible BE: the passkey can sync (SPEC {@code device_bound} counts only false)
 * @param backupState BS: the passkey is currently backed up
 * @param credentialCreatedAt when the passkey was enrolled (SPEC {@code min_credential_age})
 * @param at when the assertion was verified
 */
public record Authenticated(
    User user,
    String credentialId,
    boolean userVerified,
    boolean backupEligible,
    boolean backupState,
    Instant credentialCreatedAt,
    Instant at) {
  public Authenticated {
    if (user == null || credentialId == null || credentialCreatedAt == null || at == null)
      throw new IllegalArgumentException("user, credentialId, credentialCreatedAt and at are required");
    if (backupState && !backupEligible) throw new IllegalArgumentException("backupState requires backupEligible");
  }
}
