package dev.stepgate.passkey;

import com.webauthn4j.anchor.TrustAnchorRepository;
import com.webauthn4j.data.attestation.authenticator.AAGUID;
import dev.stepgate.config.AttestationRoots;
import java.security.cert.TrustAnchor;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * webauthn4j's view of the configured {@link AttestationRoots}: for an authenticator model, the
 * PEM bundle's roots and the roots its MDS3 statement lists. FIDO U2F attestations name no model
 * (their AAGUID is zero) and are looked up by key identifier: they get the bundle's roots only.
 */
final class AttestationTrustAnchors implements TrustAnchorRepository {
  private final AttestationRoots roots;

  AttestationTrustAnchors(AttestationRoots roots) {
    this.roots = roots;
  }

  @Override
  public Set<TrustAnchor> find(AAGUID aaguid) {
    return anchors(aaguid == null ? roots.bundle() : roots.forAaguid(aaguid.getValue()));
  }

  @Override
  public Set<TrustAnchor> find(byte[] attestationCertificateKeyIdentifier) {
    return anchors(roots.bundle());
  }

  private static Set<TrustAnchor> anchors(java.util.List<java.security.cert.X509Certificate> certs) {
    return certs.stream().map(c -> new TrustAnchor(c, null)).collect(Collectors.toUnmodifiableSet());
  }
}
