package dev.stepgate.config;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.crypto.factories.DefaultJWSVerifierFactory;
import com.nimbusds.jose.util.X509CertUtils;
import com.nimbusds.jwt.SignedJWT;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;

/**
 * The FIDO Metadata Service 3 BLOB (FIDO MDS3 §3.1.7, "Metadata BLOB"): a JWS whose header
 * carries the signing certificate chain ({@code x5c}). Its payload is trusted only when that
 * chain verifies (PKIX, RFC 5280 §6) to a configured root and the signature verifies with the
 * chain's first certificate. Certificate revocation lists are not fetched: the gateway makes no
 * outbound calls, so the operator keeps the file (and its root) current.
 */
final class MetadataBlob {
  private MetadataBlob() {}

  /** The payload JSON of {@code jwt}, once its signature and chain are verified. */
  static String verifiedPayload(Path file, String jwt, List<X509Certificate> roots) {
    SignedJWT blob;
    try {
      blob = SignedJWT.parse(jwt);
    } catch (ParseException e) {
      throw new IllegalArgumentException(file + " is not a well-formed MDS3 BLOB (JWT)");
    }
    var x5c = blob.getHeader().getX509CertChain();
    if (x5c == null || x5c.isEmpty())
      throw new IllegalArgumentException(file + ": the MDS3 BLOB has no certificate chain (x5c)");
    var chain = new ArrayList<X509Certificate>();
    for (var c : x5c) {
      var cert = X509CertUtils.parse(c.decode());
      if (cert == null) throw new IllegalArgumentException(file + ": the MDS3 BLOB's x5c holds a malformed certificate");
      chain.add(cert);
    }
    try {
      var anchors = new HashSet<TrustAnchor>();
      for (var r : roots) anchors.add(new TrustAnchor(r, null));
      var params = new PKIXParameters(anchors);
      params.setRevocationEnabled(false);
      CertPathValidator.getInstance("PKIX").validate(CertificateFactory.getInstance("X.509").generateCertPath(chain), params);
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException(file + ": the MDS3 BLOB's signing certificate does not chain to webauthn.mds_root");
    }
    try {
      var verifier = new DefaultJWSVerifierFactory().createJWSVerifier(blob.getHeader(), chain.get(0).getPublicKey());
      if (!blob.verify(verifier)) throw new IllegalArgumentException(file + ": the MDS3 BLOB's signature is not valid");
    } catch (JOSEException e) {
      throw new IllegalArgumentException(file + ": the MDS3 BLOB's signature cannot be checked (" + blob.getHeader().getAlgorithm() + ")");
    }
    return blob.getPayload().toString();
  }
}
