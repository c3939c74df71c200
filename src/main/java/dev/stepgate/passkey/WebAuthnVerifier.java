package dev.stepgate.passkey;

import com.webauthn4j.WebAuthnManager;
import com.webauthn4j.converter.AttestedCredentialDataConverter;
import com.webauthn4j.converter.exception.DataConversionException;
import com.webauthn4j.converter.util.ObjectConverter;
import com.webauthn4j.credential.CredentialRecordImpl;
import com.webauthn4j.data.AuthenticationData;
import com.webauthn4j.data.AuthenticationParameters;
import com.webauthn4j.data.AuthenticatorTransport;
import com.webauthn4j.data.PublicKeyCredentialParameters;
import com.webauthn4j.data.PublicKeyCredentialType;
import com.webauthn4j.data.RegistrationParameters;
import com.webauthn4j.data.attestation.statement.COSEAlgorithmIdentifier;
import com.webauthn4j.data.attestation.statement.NoneAttestationStatement;
import com.webauthn4j.data.client.Origin;
import com.webauthn4j.data.client.challenge.DefaultChallenge;
import com.webauthn4j.server.ServerProperty;
import com.webauthn4j.verifier.attestation.statement.androidkey.AndroidKeyAttestationStatementVerifier;
import com.webauthn4j.verifier.attestation.statement.apple.AppleAnonymousAttestationStatementVerifier;
import com.webauthn4j.verifier.attestation.statement.none.NoneAttestationStatementVerifier;
import com.webauthn4j.verifier.attestation.statement.packed.PackedAttestationStatementVerifier;
import com.webauthn4j.verifier.attestation.statement.tpm.TPMAttestationStatementVerifier;
import com.webauthn4j.verifier.attestation.statement.u2f.FIDOU2FAttestationStatementVerifier;
import com.webauthn4j.verifier.attestation.trustworthiness.certpath.DefaultCertPathTrustworthinessVerifier;
import com.webauthn4j.verifier.attestation.trustworthiness.self.DefaultSelfAttestationTrustworthinessVerifier;
import com.webauthn4j.verifier.exception.*;
import dev.stepgate.credential.StoredCredential;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * The only place webauthn4j is called. Parsing failures become {@code invalid-request} (400);
 * each verification failure becomes its own stable 401 type. Nothing from the response is ever
 * put into a message.
 */
final class WebAuthnVerifier {
  private static final Base64.Decoder B64 = Base64.getUrlDecoder();

  private final ObjectConverter converter = new ObjectConverter();
  // Non-strict: attestation statements are verified (signatures), but their certificate chains
  // are not judged against trust anchors. Used for assertions, and for registration unless an
  // AAGUID allow-list needs the attestation to prove the model (then `registrations`).
  private final WebAuthnManager manager = WebAuthnManager.createNonStrictWebAuthnManager(converter);
  private final WebAuthnManager registrations;
  private final AttestedCredentialDataConverter acdConverter = new AttestedCredentialDataConverter(converter);
  private final PasskeySettings settings;
  private final Set<Origin> origins;

  WebAuthnVerifier(PasskeySettings settings) {
    this.settings = settings;
    this.origins = settings.origins().stream().map(Origin::new).collect(Collectors.toUnmodifiableSet());
    this.registrations = settings.attestationTrustRequired() ? trusting(settings, converter) : manager;
  }

  /**
   * WebAuthn L3 §7.1 steps 21-24 in full: every attestation format's statement is verified, and
   * its trust path must chain to a configured root (PKIX, RFC 5280 §6); self attestation is
   * refused, and "none" is refused after verification ({@link #verifyRegistration}). Revocation
   * lists are not fetched (the gateway makes no outbound calls); a compromised model is left out
   * of the MDS3 roots instead.
   */
  private static WebAuthnManager trusting(PasskeySettings settings, ObjectConverter converter) {
    var certPath = new DefaultCertPathTrustworthinessVerifier(new AttestationTrustAnchors(settings.attestationRoots()));
    certPath.setRevocationCheckEnabled(false);
    return new WebAuthnManager(List.of(new PackedAttestationStatementVerifier(), new FIDOU2FAttestationStatementVerifier(),
        new AndroidKeyAttestationStatementVerifier(), new TPMAttestationStatementVerifier(),
        new AppleAnonymousAttestationStatementVerifier(), new NoneAttestationStatementVerifier()),
        certPath, new DefaultSelfAttestationTrustworthinessVerifier(false), converter);
  }

  /** Fields of a verified attestation that the store keeps. */
  record VerifiedRegistration(byte[] credentialId, byte[] attestedCredentialData, long signCount,
      boolean userVerified, boolean backupEligible, boolean backupState, Set<String> transports, UUID aaguid,
      String format) {}

  /** Fields of a verified assertion that change stored state. */
  record VerifiedAssertion(long signCount, boolean userVerified, boolean backupEligible, boolean backupState) {}

  /** WebAuthn L3 §7.1 steps 5-27 for {@code json}, a RegistrationResponseJSON. */
  VerifiedRegistration verifyRegistration(String json, Ceremony c, boolean uvRequired) {
    var params = new RegistrationParameters(serverProperty(c), OptionsJson.ALGORITHMS.stream()
        .map(a -> new PublicKeyCredentialParameters(PublicKeyCredentialType.PUBLIC_KEY, COSEAlgorithmIdentifier.create(a)))
        .toList(), uvRequired, true);
    try {
      var data = registrations.verifyRegistrationResponseJSON(json, params);
      // "none" proves nothing about the model an allow-list is about.
      if (registrations != manager && NoneAttestationStatement.FORMAT.equals(data.getAttestationObject().getFormat()))
        throw attestationNotTrusted(null);
      var authData = data.getAttestationObject().getAuthenticatorData();
      var acd = authData.getAttestedCredentialData();
      // §7.1 step 23: credential ids longer than 1023 bytes are refused.
      if (acd.getCredentialId().length > StoredCredential.MAX_ID_LENGTH)
        throw PasskeyException.invalidRequest("The credential id is too long.");
      var transports = data.getTransports() == null ? Set.<String>of()
          : data.getTransports().stream().map(AuthenticatorTransport::getValue).collect(Collectors.toUnmodifiableSet());
      return new VerifiedRegistration(acd.getCredentialId(), acdConverter.convert(acd), authData.getSignCount(),
          authData.isFlagUV(), authData.isFlagBE(), authData.isFlagBS(), transports, acd.getAaguid().getValue(),
          data.getAttestationObject().getFormat());
    } catch (SelfAttestationProhibitedException | TrustAnchorNotFoundException e) {
      throw attestationNotTrusted(e);
    } catch (CertificateException e) {
      // With roots to judge by, a chain that does not verify to one of them is untrusted.
      throw registrations != manager ? attestationNotTrusted(e) : refusal(e);
    } catch (VerificationException e) {
      throw refusal(e);
    } catch (PasskeyException e) {
      throw e;
    } catch (RuntimeException e) {
      throw malformed(e);
    }
  }

  /** The attestation does not chain to a configured root (or is self / none attestation). */
  static PasskeyException attestationNotTrusted(VerificationException cause) {
    return new PasskeyException("attestation-not-trusted", 401,
        "This authenticator's attestation could not be verified. Use an approved security key.", cause);
  }

  /** Parses an AuthenticationResponseJSON without verifying it (WebAuthn L3 §7.2 steps 1-3). */
  AuthenticationData parseAssertion(String json) {
    try {
      var d = manager.parseAuthenticationResponseJSON(json);
      if (d.getCredentialId() == null || d.getCredentialId().length == 0 || d.getAuthenticatorData() == null)
        throw PasskeyException.invalidRequest("The passkey response is incomplete.");
      return d;
    } catch (PasskeyException e) {
      throw e;
    } catch (RuntimeException e) {
      throw malformed(e);
    }
  }

  /** WebAuthn L3 §7.2 steps 7-22 for a parsed assertion against the stored credential. */
  VerifiedAssertion verifyAssertion(AuthenticationData data, Ceremony c, StoredCredential stored, boolean uvRequired) {
    var acd = acdConverter.convert(stored.attestedCredentialData());
    var record = new CredentialRecordImpl(new NoneAttestationStatement(), stored.uvInitialized(),
        stored.backupEligible(), stored.backupState(), stored.signCount(), acd, null, null, null, null);
    try {
      manager.verify(data, new AuthenticationParameters(serverProperty(c), record, null, uvRequired, true));
    } catch (VerificationException e) {
      throw refusal(e);
    } catch (RuntimeException e) {
      throw malformed(e);
    }
    var a = data.getAuthenticatorData();
    // §6.1.3: BE is fixed for the life of a credential; a change means another authenticator.
    if (a.isFlagBE() != stored.backupEligible())
      throw PasskeyException.verification("backup-eligibility-changed", "This passkey's backup eligibility changed.");
    return new VerifiedAssertion(a.getSignCount(), a.isFlagUV(), a.isFlagBE(), a.isFlagBS());
  }

  private ServerProperty serverProperty(Ceremony c) {
    return ServerProperty.builder()
        .origins(origins)
        .rpId(settings.rpId())
        .challenge(new DefaultChallenge(B64.decode(c.challenge())))
        .build();
  }

  private static PasskeyException malformed(RuntimeException e) {
    return new PasskeyException("invalid-request", 400, "The passkey response is malformed.", e);
  }

  /** One stable type per verification rule. */
  static PasskeyException refusal(VerificationException e) {
    String type;
    String message;
    if (e instanceof BadOriginException || e instanceof CrossOriginException || e instanceof BadTopOriginException) {
      type = "origin-mismatch";
      message = "The passkey was used on a site this gateway does not serve.";
    } else if (e instanceof BadRpIdException) {
      type = "rp-id-mismatch";
      message = "The passkey belongs to another site.";
    } else if (e instanceof BadChallengeException || e instanceof MissingChallengeException) {
      type = "challenge-mismatch";
      message = "The passkey answered a different sign-in attempt.";
    } else if (e instanceof UserNotPresentException) {
      type = "user-presence-required";
      message = "The authenticator did not confirm that you are present.";
    } else if (e instanceof UserNotVerifiedException) {
      type = "user-verification-required";
      message = "The authenticator did not verify you (PIN or biometrics).";
    } else if (e instanceof BadSignatureException || e instanceof PublicKeyMismatchException) {
      type = "bad-signature";
      message = "The passkey signature is not valid.";
    } else if (e instanceof MaliciousCounterValueException) {
      type = "counter-regression";
      message = "This passkey's signature counter went backwards; it may have been cloned.";
    } else if (e instanceof BadBackupEligibleFlagException || e instanceof IllegalBackupStateException) {
      type = "backup-eligibility-changed";
      message = "This passkey's backup eligibility changed.";
    } else if (e instanceof NotAllowedAlgorithmException || e instanceof BadAlgorithmException) {
      return new PasskeyException("algorithm-not-allowed", 400, "The passkey uses a signature algorithm that is not accepted.", e);
    } else if (e instanceof CredentialIdTooLongException) {
      return new PasskeyException("invalid-request", 400, "The credential id is too long.", e);
    } else if (e instanceof NotAllowedCredentialIdException) {
      type = "unknown-credential";
      message = "This passkey is not registered here.";
    } else if (e instanceof InconsistentClientDataTypeException) {
      type = "client-data-invalid";
      message = "The passkey response is for a different kind of ceremony.";
    } else if (e instanceof BadAttestationStatementException || e instanceof CertificateException) {
      type = "attestation-invalid";
      message = "The authenticator's attestation is not valid.";
    } else {
      type = "verification-failed";
      message = "The passkey response could not be verified.";
    }
    return new PasskeyException(type, 401, message, e);
  }
}
