package dev.stepgate.passkey;

import java.time.Instant;
import java.util.Optional;

/**
 * Server-side state of a started ceremony, kept until it is finished once or expires. Plain
 * values only, so a shared store (Redis) can hold it.
 *
 * @param id the {@code ceremonyId} handed to the browser
 * @param kind what it was started for
 * @param challenge base64url of the 32 random challenge bytes (WebAuthn L3 §13.4.3)
 * @param userId registration: the account's id (new or existing); login: the named user if
 *     known; step-up: the signed-in user
 * @param username registration and named login: the normalized username
 * @param displayName registration: the display name for a new account
 * @param newUser registration: the account is created on finish
 * @param inviteTokenHash registration: base64url SHA-256 of the invite to spend on finish
 * @param signedInUserId registration: who was signed in when it started (must match on finish)
 * @param userVerificationRequired whether the assertion or attestation must carry UV
 * @param expiresAt after this instant the ceremony is refused
 */
public record Ceremony(
    String id,
    Kind kind,
    String challenge,
    Optional<String> userId,
    Optional<String> username,
    Optional<String> displayName,
    boolean newUser,
    Optional<String> inviteTokenHash,
    Optional<String> signedInUserId,
    boolean userVerificationRequired,
    Instant expiresAt) {

  /** What a ceremony was started for. */
  public enum Kind { REGISTRATION, LOGIN, STEP_UP }

  public Ceremony {
    if (id == null || id.isEmpty()) throw new IllegalArgumentException("id must not be empty");
    if (kind == null) throw new IllegalArgumentException("kind must not be null");
    if (challenge == null || challenge.isEmpty()) throw new IllegalArgumentException("challenge must not be empty");
    userId = userId == null ? Optional.empty() : userId;
    username = username == null ? Optional.empty() : username;
    displayName = displayName == null ? Optional.empty() : displayName;
    inviteTokenHash = inviteTokenHash == null ? Optional.empty() : inviteTokenHash;
    signedInUserId = signedInUserId == null ? Optional.empty() : signedInUserId;
    if (expiresAt == null) throw new IllegalArgumentException("expiresAt must not be null");
    if (kind != Kind.LOGIN && userId.isEmpty()) throw new IllegalArgumentException(kind + " needs a userId");
  }

  @Override
  public String toString() {
    // The challenge is not secret once sent, but has no place in logs either.
    return "Ceremony[id=" + id + ", kind=" + kind + ", expiresAt=" + expiresAt + "]";
  }
}
