package dev.stepgate.passkey;

import static org.junit.jupiter.api.Assertions.*;

import com.webauthn4j.test.TestAttestationUtil;
import dev.stepgate.config.AttestationRoots;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Issue 10 item 6: with {@code attestation: direct} and an AAGUID allow-list, an authenticator is
 * accepted only when its attestation chains to a configured root; a software key claiming an
 * allowed model with self attestation, none attestation, or a chain to another root is refused.
 * Attestation chains come from webauthn4j-test's test CAs (3-tier: root, intermediate; 2-tier).
 */
class AttestationTrustTest extends PasskeyServiceTestBase {
  static final UUID ALLOWED = UUID.fromString("2fc0579f-8113-47ea-b116-bb5a8db9202a");
  static final UUID OTHER = UUID.fromString("ee882879-721c-4913-9775-3dfcce97072a");
  static final String NOT_TRUSTED = "This authenticator's attestation could not be verified. Use an approved security key.";

  /** The 3-tier test root: what the operator's PEM bundle names. */
  static final X509Certificate ROOT = TestAttestationUtil.load3tierTestRootCACertificate();
  static final SoftAuthenticator.Issuer UNDER_ROOT = new SoftAuthenticator.Issuer(
      TestAttestationUtil.load3tierTestIntermediateCACertificate(), TestAttestationUtil.load3tierTestIntermediateCAPrivateKey(),
      List.of(TestAttestationUtil.load3tierTestIntermediateCACertificate()));
  /** Another CA entirely (webauthn4j-test's 2-tier root), as a vendor the operator did not approve. */
  static final X509Certificate OTHER_ROOT = TestAttestationUtil.load2tierTestRootCACertificate();

  BlockingPasskeys trusting(AttestationRoots roots, UUID... allowed) {
    return service(new PasskeySettings(RP_ID, "Example", Set.of(ORIGIN), true, true, Set.of(allowed),
        Duration.ofMinutes(5), roots));
  }

  static AttestationRoots bundle(X509Certificate... roots) {
    return new AttestationRoots(List.of(roots), Map.of());
  }

  Registered register(String username) throws Exception {
    var start = service.startRegistration(username, Optional.empty(), Optional.empty(), Optional.empty(), RegistrationMode.OPEN);
    return service.finishRegistration(start.ceremonyId(), soft.register(start.publicKeyJson()), Optional.empty(), Optional.empty());
  }

  void assertNotTrusted(String username) {
    var e = assertThrows(PasskeyException.class, () -> register(username));
    assertEquals("attestation-not-trusted", e.type());
    assertEquals(401, e.status());
    assertEquals(NOT_TRUSTED, e.getMessage());
    assertTrue(store.findUserByUsername(username).isEmpty(), "nothing is stored");
  }

  @Test
  void register_selfAttestationClaimingAnAllowedAaguid_isRefused() {
    service = trusting(bundle(ROOT), ALLOWED);
    soft.aaguid = ALLOWED;
    soft.attestation = SoftAuthenticator.Attestation.SELF;
    assertNotTrusted("mallory");
  }

  @Test
  void register_chainToTheConfiguredRootWithAnAllowedAaguid_isAccepted() throws Exception {
    service = trusting(bundle(ROOT), ALLOWED);
    soft.aaguid = ALLOWED;
    soft.attestation = SoftAuthenticator.Attestation.PACKED_X5C;
    soft.issuer = UNDER_ROOT;
    var reg = register("alice");
    assertEquals(ALLOWED, reg.credential().aaguid());
    assertTrue(store.findCredential(reg.credential().credentialId()).isPresent());
  }

  @Test
  void register_chainToAnotherRoot_isRefused() {
    service = trusting(bundle(OTHER_ROOT), ALLOWED);
    soft.aaguid = ALLOWED;
    soft.attestation = SoftAuthenticator.Attestation.PACKED_X5C;
    soft.issuer = UNDER_ROOT;
    assertNotTrusted("mallory");
  }

  @Test
  void register_chainForgedInTheNameOfTheTrustedCa_isRefused() throws Exception {
    // A software key issues its own attestation certificate naming the approved intermediate as
    // issuer: the names chain, the signature does not.
    var g = java.security.KeyPairGenerator.getInstance("EC");
    g.initialize(new java.security.spec.ECGenParameterSpec("secp256r1"));
    service = trusting(bundle(ROOT), ALLOWED);
    soft.aaguid = ALLOWED;
    soft.attestation = SoftAuthenticator.Attestation.PACKED_X5C;
    soft.issuer = new SoftAuthenticator.Issuer(UNDER_ROOT.certificate(), g.generateKeyPair().getPrivate(), UNDER_ROOT.chain());
    assertNotTrusted("mallory");
  }

  @Test
  void register_trustedChainButAaguidNotOnTheList_isRefused() {
    service = trusting(bundle(ROOT), ALLOWED);
    soft.aaguid = OTHER;
    soft.attestation = SoftAuthenticator.Attestation.PACKED_X5C;
    soft.issuer = UNDER_ROOT;
    var e = assertThrows(PasskeyException.class, () -> register("bob"));
    assertEquals("authenticator-not-allowed", e.type());
    assertEquals(403, e.status());
  }

  @Test
  void register_noneAttestation_isRefused() {
    service = trusting(bundle(ROOT), ALLOWED);
    soft.aaguid = ALLOWED;
    assertNotTrusted("mallory");
  }

  @Test
  void register_webauthn4jPackedAuthenticatorWithItsTestChain_isAcceptedOnlyWithItsRoot() {
    // The emulator attests AAGUID zero with a chain to the 3-tier test root.
    var browser = new EmulatedBrowser(ORIGIN);
    service = trusting(bundle(OTHER_ROOT), new UUID(0, 0));
    var refused = startRegistration("carol");
    var e = assertThrows(PasskeyException.class, () -> service.finishRegistration(refused.ceremonyId(),
        browser.create(refused.publicKeyJson()), Optional.empty(), Optional.empty()));
    assertEquals("attestation-not-trusted", e.type());
    service = trusting(bundle(ROOT), new UUID(0, 0));
    var start = startRegistration("carol");
    assertEquals(new UUID(0, 0), service.finishRegistration(start.ceremonyId(), browser.create(start.publicKeyJson()),
        Optional.empty(), Optional.empty()).credential().aaguid());
  }

  @Test
  void register_pemBundleFile_anchorsTheChain() throws Exception {
    var pem = Files.writeString(dir.resolve("roots.pem"), "# approved vendors\n" + pem(OTHER_ROOT)
        + "\n" + pem(ROOT));
    service = trusting(AttestationRoots.fromPem(pem), ALLOWED);
    soft.aaguid = ALLOWED;
    soft.attestation = SoftAuthenticator.Attestation.PACKED_X5C;
    soft.issuer = UNDER_ROOT;
    assertEquals(ALLOWED, register("alice").credential().aaguid());
  }

  @Test
  void register_mdsStatementRoots_anchorOnlyTheirOwnModel() throws Exception {
    var mds = Files.writeString(dir.resolve("mds.json"), "{\"legalHeader\": \"test\", \"no\": 1, \"entries\": ["
        + entry(ALLOWED, ROOT, "FIDO_CERTIFIED_L1") + "," + entry(OTHER, OTHER_ROOT,
            "FIDO_CERTIFIED") + "]}");
    service = trusting(AttestationRoots.fromMetadata(mds, List.of()), ALLOWED, OTHER);
    soft.attestation = SoftAuthenticator.Attestation.PACKED_X5C;
    soft.issuer = UNDER_ROOT;
    soft.aaguid = ALLOWED;
    assertEquals(ALLOWED, register("alice").credential().aaguid());
    // A model whose statement lists another root cannot borrow ALLOWED's.
    soft.aaguid = OTHER;
    assertNotTrusted("mallory");
  }

  @Test
  void register_mdsModelReportedCompromised_isRefused() throws Exception {
    var mds = Files.writeString(dir.resolve("mds.json"), "{\"entries\": [" + entry(ALLOWED, ROOT, "FIDO_CERTIFIED\"}, "
        + "{\"effectiveDate\": \"2026-02-01\", \"status\": \"ATTESTATION_KEY_COMPROMISE") + "," + entry(OTHER, ROOT,
            "FIDO_CERTIFIED") + "]}");
    service = trusting(AttestationRoots.fromMetadata(mds, List.of()), ALLOWED);
    soft.attestation = SoftAuthenticator.Attestation.PACKED_X5C;
    soft.issuer = UNDER_ROOT;
    soft.aaguid = ALLOWED;
    assertNotTrusted("mallory");
  }

  // ---- helpers

  CeremonyStart startRegistration(String username) {
    return service.startRegistration(username, Optional.empty(), Optional.empty(), Optional.empty(), RegistrationMode.OPEN);
  }

  static String pem(X509Certificate c) throws Exception {
    return "-----BEGIN CERTIFICATE-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(c.getEncoded())
        + "\n-----END CERTIFICATE-----\n";
  }

  /** An MDS3 BLOB payload entry (FIDO MDS3 §3.1.1) with one root and one status report. */
  static String entry(UUID aaguid, X509Certificate root, String status) throws Exception {
    return "{\"aaguid\": \"" + aaguid + "\", \"metadataStatement\": {\"aaguid\": \"" + aaguid + "\", \"description\": \"key\","
        + " \"attestationRootCertificates\": [\"" + Base64.getEncoder().encodeToString(root.getEncoded()) + "\"]},"
        + " \"statusReports\": [{\"effectiveDate\": \"2025-01-01\", \"status\": \"" + status + "\"}]}";
  }
}
