package dev.stepgate.credential;

import java.time.Instant;
import java.util.Optional;

/**
 * One entry of the store's change record of revocations ({@link RevocationLog}).
 *
 * @param seq its position in the record; strictly increasing
 * @param at when it was made
 * @param userId whose sessions it concerns
 * @param credentialId the revoked passkey; empty when every session of the user ends
 */
public record LoggedRevocation(long seq, Instant at, String userId, Optional<CredentialId> credentialId) {
  public LoggedRevocation {
    if (seq <= 0) throw new IllegalArgumentException("seq must be positive");
    if (userId == null || userId.isBlank()) throw new IllegalArgumentException("userId must not be blank");
    credentialId = credentialId == null ? Optional.empty() : credentialId;
  }
}
