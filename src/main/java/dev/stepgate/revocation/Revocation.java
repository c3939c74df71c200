package dev.stepgate.revocation;

import dev.stepgate.credential.CredentialId;

/**
 * Something that ends sessions, or changes what a session stands for, as every holder of session
 * state must honour it: the session store, and the near caches of the request path. Published on
 * a {@link RevocationBus}. {@link GroupsChanged} ends no session: it only makes caches of the
 * user's groups (and of what was stamped from them) stale.
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

  /**
   * The user's group membership changed ({@code stepgate users add-group|remove-group}): no
   * session ends; whatever holds the user's groups reads them again.
   *
   * @param userId the user
   */
  record GroupsChanged(String userId) implements Revocation {
    public GroupsChanged {
      requireUser(userId);
    }
  }

  /** True when this ends sessions (every kind but {@link GroupsChanged}). */
  default boolean endsSessions() {
    return !(this instanceof GroupsChanged);
  }

  private static void requireUser(String userId) {
    if (userId == null || userId.isBlank()) throw new IllegalArgumentException("userId must not be blank");
  }
}
