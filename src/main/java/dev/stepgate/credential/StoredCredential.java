package dev.stepgate.credential;

import java.time.Instant;
import java.util.Base64;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * A registered passkey: what is needed to verify its assertions (WebAuthn L3 §7.2) and to show
 * it to its owner. Arrays are copied in and out.
 *
 * @param credentialId the credential id, 1..1023 bytes (WebAuthn L3 §7.1 step 23)
 * @param userId owner's {@link User#id()}
 * @param attestedCredentialData the attested credential data (AAGUID, id, COSE public key) in its
 *     authenticator-data binary form (WebAuthn L3 §6.5.2)
 * @param signCount last signature counter seen
 * @param uvInitialized whether any ceremony with this credential was user-verified
 * @param backupEligible the BE flag at registration; must never change (WebAuthn L3 §6.1.3)
 * @param backupState the BS flag last seen
 * @param transports hints the browser reported, e.g. {@code internal}, {@code hybrid}
 * @param label a name the owner chose, or a default
 * @param createdAt when it was registered
 * @param lastUsedAt last successful assertion, if any
 * @param aaguid the authenticator model (all zero when attestation is none)
 * @param viaRecovery whether it was enrolled in a recovery session; its {@code createdAt} is then
 *     the moment of the recovery, so {@code min_credential_age} rules refuse it until it is old
 *     enough (SPEC section 4)
 */
public record StoredCredential(
    byte[] credentialId,
    String userId,
    byte[] attestedCredentialData,
    long signCount,
    boolean uvInitialized,
    boolean backupEligible,
    boolean backupState,
    Set<String> transports,
    String label,
    Instant createdAt,
    Optional<Instant> lastUsedAt,
    UUID aaguid,
    boolean viaRecovery) {

  /** Longest credential id accepted (WebAuthn L3 §7.1 step 23). */
  public static final int MAX_ID_LENGTH = 1023;

  /** A passkey enrolled the ordinary way (not in a recovery session). */
  public StoredCredential(byte[] credentialId, String userId, byte[] attestedCredentialData, long signCount,
      boolean uvInitialized, boolean backupEligible, boolean backupState, Set<String> transports, String label,
      Instant createdAt, Optional<Instant> lastUsedAt, UUID aaguid) {
    this(credentialId, userId, attestedCredentialData, signCount, uvInitialized, backupEligible, backupState, transports,
        label, createdAt, lastUsedAt, aaguid, false);
  }

  public StoredCredential {
    if (credentialId == null || credentialId.length == 0 || credentialId.length > MAX_ID_LENGTH)
      throw new IllegalArgumentException("credentialId must be 1..1023 bytes");
    if (userId == null || userId.isEmpty()) throw new IllegalArgumentException("userId must not be empty");
    if (attestedCredentialData == null || attestedCredentialData.length == 0)
      throw new IllegalArgumentException("attestedCredentialData must not be empty");
    if (signCount < 0 || signCount > 0xFFFFFFFFL)
      throw new IllegalArgumentException("signCount must be an unsigned 32-bit value");
    if (backupState && !backupEligible)
      throw new IllegalArgumentException("backupState requires backupEligible");
    if (createdAt == null) throw new IllegalArgumentException("createdAt must not be null");
    if (aaguid == null) throw new IllegalArgumentException("aaguid must not be null");
    credentialId = credentialId.clone();
    attestedCredentialData = attestedCredentialData.clone();
    transports = transports == null ? Set.of() : Set.copyOf(transports);
    label = label == null || label.isBlank() ? "Passkey" : label.strip();
    lastUsedAt = lastUsedAt == null ? Optional.empty() : lastUsedAt;
  }

  @Override
  public byte[] credentialId() {
    return credentialId.clone();
  }

  @Override
  public byte[] attestedCredentialData() {
    return attestedCredentialData.clone();
  }

  /** The credential id as base64url without padding, as WebAuthn JSON carries it. */
  public String credentialIdBase64() {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(credentialId);
  }

  /** A copy with the state an assertion updates (WebAuthn L3 §7.2 steps 21-23). */
  public StoredCredential afterAssertion(long newSignCount, boolean newBackupState, boolean uv, Instant at) {
    return new StoredCredential(credentialId, userId, attestedCredentialData, newSignCount,
        uvInitialized || uv, backupEligible, newBackupState, transports, label, createdAt,
        Optional.of(at), aaguid, viaRecovery);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof StoredCredential c
        && java.util.Arrays.equals(credentialId, c.credentialId)
        && userId.equals(c.userId)
        && java.util.Arrays.equals(attestedCredentialData, c.attestedCredentialData)
        && signCount == c.signCount && uvInitialized == c.uvInitialized
        && backupEligible == c.backupEligible && backupState == c.backupState
        && transports.equals(c.transports) && label.equals(c.label)
        && createdAt.equals(c.createdAt) && lastUsedAt.equals(c.lastUsedAt) && aaguid.equals(c.aaguid)
        && viaRecovery == c.viaRecovery;
  }

  @Override
  public int hashCode() {
    return java.util.Arrays.hashCode(credentialId);
  }

  @Override
  public String toString() {
    return "StoredCredential[id=" + credentialIdBase64() + ", userId=" + userId + ", signCount=" + signCount
        + ", be=" + backupEligible + ", bs=" + backupState + ", label=" + label + (viaRecovery ? ", viaRecovery" : "") + "]";
  }
}
