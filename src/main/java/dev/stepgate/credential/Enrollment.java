package dev.stepgate.credential;

import java.util.Arrays;
import java.util.Optional;

/**
 * Everything a finished registration writes, applied by {@link PasskeyStore#enroll} in one
 * transaction: the new user (if the username was new), the invite it spends (if any), and the
 * credential.
 *
 * @param newUser the account to create, or empty to add to an existing one
 * @param inviteTokenHash SHA-256 of the invite token to consume, or empty
 * @param credential the credential to add; its {@code userId} must match
 */
public record Enrollment(Optional<User> newUser, Optional<byte[]> inviteTokenHash, StoredCredential credential) {
  public Enrollment {
    newUser = newUser == null ? Optional.empty() : newUser;
    inviteTokenHash = inviteTokenHash == null ? Optional.empty() : inviteTokenHash.map(byte[]::clone);
    if (credential == null) throw new IllegalArgumentException("credential must not be null");
    if (newUser.isPresent() && !newUser.get().id().equals(credential.userId()))
      throw new IllegalArgumentException("credential must belong to the new user");
    if (inviteTokenHash.isPresent() && inviteTokenHash.get().length != 32)
      throw new IllegalArgumentException("inviteTokenHash must be a SHA-256 digest");
  }

  @Override
  public Optional<byte[]> inviteTokenHash() {
    return inviteTokenHash.map(byte[]::clone);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Enrollment e && newUser.equals(e.newUser) && credential.equals(e.credential)
        && inviteTokenHash.isPresent() == e.inviteTokenHash.isPresent()
        && (inviteTokenHash.isEmpty() || Arrays.equals(inviteTokenHash.get(), e.inviteTokenHash.get()));
  }

  @Override
  public int hashCode() {
    return credential.hashCode();
  }
}
