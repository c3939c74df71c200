package dev.stepgate.revocation;

import dev.stepgate.credential.CredentialId;

/**
 * Something that ends sessions, as every holder of session state must honour it: the session
 * store, and the near caches of the request path. Published on a {@link RevocationBus}.
 */
public sealed interface Revocation {
  /** The user whose sessions it concerns. */
  String userId();

  /**
   * A passkey was revoked: every session that signed in or stepped up with it ends.
   *
   * @param userId its owner
   * @param credentialId the passkey, in canonical form whatever spelling the revoker used
   */
  record CredentialRevoked(String userId, CredentialId credentialId) implements Revocation {
    public CredentialRevoked {
      requireUser(userId);
      if (credentialId == null) throw new IllegalArgumentException("credentialId must not be null");
    }
  }

  /**
   * Every session of a user ends (the user was disabled, or signed out everywhere).
   *
   * @param userId the user
   */
  record UserSessionsEnded(String userId) implements Revocation {
    public UserSessionsEnded {
      requireUser(userId);
    }
  }

  private static void requireUser(String userId) {
    if (userId == null || userId.isBlank()) throw new IllegalArgumentException("userId must not be blank");
  }
}
