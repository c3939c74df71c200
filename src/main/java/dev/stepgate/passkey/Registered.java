package dev.stepgate.passkey;

import dev.stepgate.credential.StoredCredential;
import dev.stepgate.credential.User;

/**
 * A finished registration.
 *
 * @param user the account (new or existing) the passkey now belongs to
 * @param credential the stored passkey
 * @param newUser whether this registration created the account
 */
public record Registered(User user, StoredCredential credential, boolean newUser) {
  public Registered {
    if (user == null || credential == null) throw new IllegalArgumentException("user and credential are required");
    if (!user.id().equals(credential.userId())) throw new IllegalArgumentException("credential must belong to user");
  }
}
