package dev.stepgate.config;

import static org.junit.jupiter.api.Assertions.*;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.util.Base64;
import com.webauthn4j.test.TestAttestationUtil;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPrivateKey;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** FIDO MDS3 §3.1.7: a BLOB's payload counts only when its x5c chain reaches webauthn.mds_root and it verifies. */
class MetadataBlobTest {
  static final UUID MODEL = UUID.fromString("2fc0579f-8113-47ea-b116-bb5a8db9202a");
  static final X509Certificate ROOT = TestAttestationUtil.load3tierTestRootCACertificate();
  static final X509Certificate INTERMEDIATE = TestAttestationUtil.load3tierTestIntermediateCACertificate();
  static final X509Certificate SIGNER = TestAttestationUtil.load3tierTestAuthenticatorAttestationCertificate();
  static final PrivateKey SIGNER_KEY = TestAttestationUtil.load3tierTestAuthenticatorAttestationPrivateKey();

  @TempDir Path dir;

  static String payload() throws Exception {
    return "{\"no\": 7, \"nextUpdate\": \"2027-01-01\", \"entries\": [{\"aaguid\": \"" + MODEL + "\", \"metadataStatement\": "
        + "{\"aaguid\": \"" + MODEL + "\", \"attestationRootCertificates\": [\""
        + java.util.Base64.getEncoder().encodeToString(ROOT.getEncoded()) + "\"]}, \"statusReports\": []}]}";
  }

  Path blob(String payload, List<X509Certificate> x5c, PrivateKey key) throws Exception {
    var chain = new java.util.ArrayList<Base64>();
    for (var c : x5c) chain.add(Base64.encode(c.getEncoded()));
    var jws = new JWSObject(new JWSHeader.Builder(JWSAlgorithm.ES256).x509CertChain(chain).build(), new Payload(payload));
    jws.sign(new ECDSASigner((ECPrivateKey) key));
    return Files.writeString(dir.resolve("blob.jwt"), jws.serialize());
  }

  @Test
  void fromMetadata_blobSignedUnderTheMdsRoot_givesItsRoots() throws Exception {
    var roots = AttestationRoots.fromMetadata(blob(payload(), List.of(SIGNER, INTERMEDIATE), SIGNER_KEY), List.of(ROOT));
    assertEquals(List.of(ROOT), roots.forAaguid(MODEL));
  }

  @Test
  void fromMetadata_blobChainToAnotherRoot_isRefused() throws Exception {
    var file = blob(payload(), List.of(SIGNER, INTERMEDIATE), SIGNER_KEY);
    var e = assertThrows(IllegalArgumentException.class,
        () -> AttestationRoots.fromMetadata(file, List.of(TestAttestationUtil.load2tierTestRootCACertificate())));
    assertEquals(file + ": the MDS3 BLOB's signing certificate does not chain to webauthn.mds_root", e.getMessage());
  }

  @Test
  void fromMetadata_blobSignedByAnotherKey_isRefused() throws Exception {
    // The chain names the approved signer, but the signature is by a key of the forger's.
    var g = java.security.KeyPairGenerator.getInstance("EC");
    g.initialize(new java.security.spec.ECGenParameterSpec("secp256r1"));
    var file = blob(payload(), List.of(SIGNER, INTERMEDIATE), g.generateKeyPair().getPrivate());
    var e = assertThrows(IllegalArgumentException.class, () -> AttestationRoots.fromMetadata(file, List.of(ROOT)));
    assertEquals(file + ": the MDS3 BLOB's signature is not valid", e.getMessage());
  }

  @Test
  void fromMetadata_blobPayloadEdited_isRefused() throws Exception {
    var file = blob(payload(), List.of(SIGNER, INTERMEDIATE), SIGNER_KEY);
    var parts = Files.readString(file).split("\\.");
    var edited = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(payload().replace("\"no\": 7", "\"no\": 8")
        .getBytes(java.nio.charset.StandardCharsets.UTF_8));
    Files.writeString(file, parts[0] + "." + edited + "." + parts[2]);
    assertThrows(IllegalArgumentException.class, () -> AttestationRoots.fromMetadata(file, List.of(ROOT)));
  }

  @Test
  void fromMetadata_blobWithoutChain_isRefused() throws Exception {
    var file = blob(payload(), List.of(), SIGNER_KEY);
    assertEquals(file + ": the MDS3 BLOB has no certificate chain (x5c)",
        assertThrows(IllegalArgumentException.class, () -> AttestationRoots.fromMetadata(file, List.of(ROOT))).getMessage());
  }
}
