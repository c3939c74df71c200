package dev.stepgate.credential;

import java.time.Instant;
import java.util.Optional;

/**
 * One entry of the store's change record of revocations ({@link RevocationLog}).
 *
 * @param seq its position in the record; strictly increasing
 * @param at when it was made
 * @param kind what changed
 * @param userId whose sessions (or groups) it concerns
 * @param credentialId the revoked passkey: present exactly when {@code kind} is {@link
 *     Kind#CREDENTIAL}
 */
public record LoggedRevocation(long seq, Instant at, Kind kind, String userId, Optional<CredentialId> credentialId) {
  /** What an entry records; the stored names are the {@code kind} column's values. */
  public enum Kind {
    /** One passkey was revoked: its sessions end. */
    CREDENTIAL("credential"),
    /** Every session of the user ends (disabled, or signed out everywhere). */
    USER("user"),
    /** The user's group membership changed: no session ends, cached groups are dropped. */
    GROUPS("groups");

    private final String stored;

    Kind(String stored) {
      this.stored = stored;
    }

    /** The value of the {@code kind} column. */
    public String stored() {
      return stored;
    }

    /** The kind stored as {@code value}. */
    public static Kind fromStored(String value) {
      for (var k : values()) if (k.stored.equals(value)) return k;
      throw new IllegalArgumentException("unknown revocation kind " + value);
    }
  }

  public LoggedRevocation {
    if (seq <= 0) throw new IllegalArgumentException("seq must be positive");
    if (userId == null || userId.isBlank()) throw new IllegalArgumentException("userId must not be blank");
    if (kind == null) throw new IllegalArgumentException("kind must not be null");
    credentialId = credentialId == null ? Optional.empty() : credentialId;
    if ((kind == Kind.CREDENTIAL) != credentialId.isPresent())
      throw new IllegalArgumentException("a credential id is given exactly for kind credential");
  }

  /** A passkey revocation (with an id) or a user-wide one (without), as before groups existed. */
  public LoggedRevocation(long seq, Instant at, String userId, Optional<CredentialId> credentialId) {
    this(seq, at, credentialId != null && credentialId.isPresent() ? Kind.CREDENTIAL : Kind.USER, userId, credentialId);
  }
}
