package dev.stepgate.passkey;

import dev.stepgate.config.AttestationRoots;
import dev.stepgate.config.GatewayConfig;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.UUID;

/**
 * The relying party as WebAuthn sees it.
 *
 * @param rpId the RP ID (WebAuthn L3 §5.1.1): a registrable domain suffix of every origin
 * @param rpName shown by authenticators
 * @param origins every accepted origin, exactly {@code scheme://host[:port]} (WebAuthn L3 §7.1
 *     step 9); never a wildcard
 * @param userVerificationRequired whether sign-in demands UV (step-up always does)
 * @param attestationDirect request direct attestation and enforce {@code allowedAaguids}
 * @param allowedAaguids authenticator models accepted with direct attestation; empty = any
 * @param ceremonyTtl how long a started ceremony may be finished
 * @param attestationRoots with direct attestation and an {@code allowedAaguids} list, the only
 *     roots an attestation certificate chain may reach; self and none attestation are refused
 */
public record PasskeySettings(
    String rpId,
    String rpName,
    Set<String> origins,
    boolean userVerificationRequired,
    boolean attestationDirect,
    Set<UUID> allowedAaguids,
    Duration ceremonyTtl,
    AttestationRoots attestationRoots) {

  /** How long a ceremony lasts unless configured otherwise. */
  public static final Duration DEFAULT_CEREMONY_TTL = Duration.ofMinutes(5);

  public PasskeySettings {
    if (rpId == null || rpId.isBlank()) throw new IllegalArgumentException("rpId must not be blank");
    if (rpName == null || rpName.isBlank()) throw new IllegalArgumentException("rpName must not be blank");
    if (origins == null || origins.isEmpty()) throw new IllegalArgumentException("origins must not be empty");
    for (var o : origins) checkOrigin(o);
    origins = Set.copyOf(origins);
    allowedAaguids = allowedAaguids == null ? Set.of() : Set.copyOf(allowedAaguids);
    if (ceremonyTtl == null || ceremonyTtl.isNegative() || ceremonyTtl.isZero())
      throw new IllegalArgumentException("ceremonyTtl must be positive");
    attestationRoots = attestationRoots == null ? AttestationRoots.NONE : attestationRoots;
  }

  /** Settings without attestation roots. */
  public PasskeySettings(String rpId, String rpName, Set<String> origins, boolean userVerificationRequired,
      boolean attestationDirect, Set<UUID> allowedAaguids, Duration ceremonyTtl) {
    this(rpId, rpName, origins, userVerificationRequired, attestationDirect, allowedAaguids, ceremonyTtl,
        AttestationRoots.NONE);
  }

  /**
   * Whether attestation chains are judged against {@link #attestationRoots} (direct attestation
   * with an AAGUID allow-list): an allow-list is only as good as the proof of the model.
   */
  public boolean attestationTrustRequired() {
    return attestationDirect && !allowedAaguids.isEmpty();
  }

  /** Settings from a loaded config: origins are {@code public_url}'s origin plus {@code webauthn.origins}. */
  public static PasskeySettings from(GatewayConfig c) {
    var w = c.webauthn();
    var origins = new LinkedHashSet<String>();
    origins.add(c.publicOrigin());
    origins.addAll(w.origins());
    var rpId = w.rpId() == null || w.rpId().isBlank() ? c.publicUrl().getHost() : w.rpId();
    var aaguids = new LinkedHashSet<UUID>();
    for (var a : w.allowedAaguids()) aaguids.add(UUID.fromString(a));
    return new PasskeySettings(rpId, w.rpName() == null || w.rpName().isBlank() ? "stepgate" : w.rpName(), origins,
        w.userVerification() != GatewayConfig.UserVerification.PREFERRED,
        w.attestation() == GatewayConfig.Attestation.DIRECT, aaguids, DEFAULT_CEREMONY_TTL, w.attestationRoots());
  }

  private static void checkOrigin(String o) {
    URI u;
    try {
      u = new URI(o);
    } catch (URISyntaxException | NullPointerException e) {
      throw new IllegalArgumentException("origin is not a URI: " + o);
    }
    var exact = u.getScheme() != null && u.getHost() != null && u.getRawUserInfo() == null
        && (u.getRawPath() == null || u.getRawPath().isEmpty()) && u.getRawQuery() == null && u.getRawFragment() == null;
    if (!exact || !("https".equals(u.getScheme()) || "http".equals(u.getScheme())))
      throw new IllegalArgumentException("origin must be exactly scheme://host[:port]: " + o);
  }
}
