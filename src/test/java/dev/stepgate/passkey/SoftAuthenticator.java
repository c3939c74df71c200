package dev.stepgate.passkey;

import com.webauthn4j.converter.AttestationObjectConverter;
import com.webauthn4j.converter.util.ObjectConverter;
import com.webauthn4j.data.attestation.AttestationObject;
import com.webauthn4j.data.attestation.authenticator.AAGUID;
import com.webauthn4j.data.attestation.authenticator.AttestedCredentialData;
import com.webauthn4j.data.attestation.authenticator.AuthenticatorData;
import com.webauthn4j.data.attestation.authenticator.COSEKey;
import com.webauthn4j.data.attestation.authenticator.EC2COSEKey;
import com.webauthn4j.data.attestation.authenticator.RSACOSEKey;
import com.webauthn4j.data.attestation.statement.COSEAlgorithmIdentifier;
import com.webauthn4j.converter.AuthenticatorDataConverter;
import com.webauthn4j.data.attestation.statement.AttestationCertificatePath;
import com.webauthn4j.data.attestation.statement.AttestationStatement;
import com.webauthn4j.data.attestation.statement.NoneAttestationStatement;
import com.webauthn4j.data.attestation.statement.PackedAttestationStatement;
import com.webauthn4j.test.AttestationCertificateBuilder;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.UUID;
import javax.security.auth.x500.X500Principal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A software authenticator whose every byte the test controls (flags, counter, credential id
 * length, algorithm, rpId, origin, userHandle): "none" attestation, ES256 keys. Used for the
 * negative cases the webauthn4j-test emulator cannot produce; keys are signed for real, so a
 * rule under test is the only thing that can refuse.
 */
final class SoftAuthenticator {
  static final byte UP = AuthenticatorData.BIT_UP;
  static final byte UV = AuthenticatorData.BIT_UV;
  static final byte BE = AuthenticatorData.BIT_BE;
  static final byte BS = AuthenticatorData.BIT_BS;
  static final byte AT = AuthenticatorData.BIT_AT;

  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder B64D = Base64.getUrlDecoder();
  private static final ObjectConverter CONVERTER = new ObjectConverter();

  private final Map<String, KeyPair> keys = new HashMap<>();
  private final Map<String, byte[]> userHandles = new HashMap<>();

  // Knobs; each test sets what it needs.
  String origin = "https://gate.example.com";
  String rpId; // null: use the options' rpId
  byte flags = (byte) (UP | UV);
  long counter = 0;
  int credentialIdLength = 32;
  byte[] credentialIdOverride;
  boolean rsa1 = false;
  String clientDataType; // null: the right one
  byte[] userHandleOverride;
  boolean omitUserHandle;
  boolean tamper;
  String challengeOverride;
  /** The model the authenticator data claims. */
  UUID aaguid = new UUID(0, 0);
  /** {@code none} (default), packed {@code self} attestation, or packed with an x5c chain from {@link #issuer}. */
  Attestation attestation = Attestation.NONE;
  /** The CA that signs the attestation certificate for {@link Attestation#PACKED_X5C}. */
  Issuer issuer;

  enum Attestation { NONE, SELF, PACKED_X5C }

  /**
   * A CA that issues attestation certificates: its certificate and key, and the certificates
   * between it and its root that go into x5c after the attestation certificate.
   */
  record Issuer(X509Certificate certificate, PrivateKey key, List<X509Certificate> chain) {}

  /** A RegistrationResponseJSON for {@code creationOptionsJson}. Returns it; remembers the key. */
  String register(String creationOptionsJson) throws Exception {
    var o = JSON.readTree(creationOptionsJson);
    var rp = rpId != null ? rpId : o.get("rp").get("id").asString();
    var credId = new byte[credentialIdLength];
    new SecureRandom().nextBytes(credId);
    if (credentialIdOverride != null) credId = credentialIdOverride.clone();
    KeyPair kp;
    COSEKey cose;
    if (rsa1) {
      var g = KeyPairGenerator.getInstance("RSA");
      g.initialize(2048);
      kp = g.generateKeyPair();
      cose = RSACOSEKey.create((java.security.interfaces.RSAPublicKey) kp.getPublic(), COSEAlgorithmIdentifier.RS1);
    } else {
      kp = ec();
      cose = EC2COSEKey.create((java.security.interfaces.ECPublicKey) kp.getPublic(), COSEAlgorithmIdentifier.ES256);
    }
    keys.put(B64.encodeToString(credId), kp);
    userHandles.put(B64.encodeToString(credId), B64D.decode(o.get("user").get("id").asString()));
    var authData = new AuthenticatorData<com.webauthn4j.data.extension.authenticator.RegistrationExtensionAuthenticatorOutput>(
        sha256(rp.getBytes(StandardCharsets.UTF_8)), (byte) (flags | AT), counter,
        new AttestedCredentialData(new AAGUID(aaguid), credId, cose));
    var clientData = clientData(clientDataType != null ? clientDataType : "webauthn.create", challenge(o));
    var attObj = new AttestationObjectConverter(CONVERTER)
        .convertToBytes(new AttestationObject(authData, statement(authData, clientData, kp)));
    var id = B64.encodeToString(credId);
    return "{\"id\":\"" + id + "\",\"rawId\":\"" + id + "\",\"type\":\"public-key\",\"response\":{"
        + "\"clientDataJSON\":\"" + B64.encodeToString(clientData) + "\",\"attestationObject\":\""
        + B64.encodeToString(attObj) + "\",\"transports\":[\"internal\"]},\"clientExtensionResults\":{},"
        + "\"authenticatorAttachment\":\"platform\"}";
  }

  /**
   * WebAuthn L3 §8.2 (packed): {@code sig} over authenticatorData || clientDataHash, by the
   * credential key itself (self attestation) or by an attestation key whose certificate {@link
   * #issuer} signs (subject per §8.2.1: C, O, OU "Authenticator Attestation", CN; not a CA).
   */
  private AttestationStatement statement(AuthenticatorData<?> authData, byte[] clientData, KeyPair credentialKey)
      throws Exception {
    if (attestation == Attestation.NONE) return new NoneAttestationStatement();
    var raw = new AuthenticatorDataConverter(CONVERTER).convert(authData);
    var toSign = ByteBuffer.allocate(raw.length + 32).put(raw).put(sha256(clientData)).array();
    var s = Signature.getInstance("SHA256withECDSA");
    if (attestation == Attestation.SELF) {
      s.initSign(credentialKey.getPrivate());
      s.update(toSign);
      return new PackedAttestationStatement(COSEAlgorithmIdentifier.ES256, s.sign(), null);
    }
    var attestationKey = ec();
    var cert = new AttestationCertificateBuilder(issuer.certificate(),
        new X500Principal("OU=Authenticator Attestation, CN=Soft Key, O=Stepgate Tests, C=US"), attestationKey.getPublic())
        .build(issuer.key());
    s.initSign(attestationKey.getPrivate());
    s.update(toSign);
    var x5c = new java.util.ArrayList<X509Certificate>();
    x5c.add(cert);
    x5c.addAll(issuer.chain());
    return new PackedAttestationStatement(COSEAlgorithmIdentifier.ES256, s.sign(), new AttestationCertificatePath(x5c));
  }

  /** An AuthenticationResponseJSON signed with the key of {@code credentialIdB64}. */
  String assertWith(String credentialIdB64, String requestOptionsJson) throws Exception {
    var o = JSON.readTree(requestOptionsJson);
    var rp = rpId != null ? rpId : o.get("rpId").asString();
    var authData = ByteBuffer.allocate(37).put(sha256(rp.getBytes(StandardCharsets.UTF_8))).put(flags)
        .putInt((int) counter).array();
    var clientData = clientData(clientDataType != null ? clientDataType : "webauthn.get", challenge(o));
    var s = Signature.getInstance("SHA256withECDSA");
    s.initSign(keys.get(credentialIdB64).getPrivate());
    s.update(authData);
    s.update(sha256(clientData));
    var sig = s.sign();
    if (tamper) authData[authData.length - 1] ^= 1; // changes the counter after signing
    var handle = userHandleOverride != null ? userHandleOverride : userHandles.get(credentialIdB64);
    return "{\"id\":\"" + credentialIdB64 + "\",\"rawId\":\"" + credentialIdB64 + "\",\"type\":\"public-key\","
        + "\"response\":{\"clientDataJSON\":\"" + B64.encodeToString(clientData) + "\",\"authenticatorData\":\""
        + B64.encodeToString(authData) + "\",\"signature\":\"" + B64.encodeToString(sig) + "\""
        + (omitUserHandle ? "" : ",\"userHandle\":\"" + B64.encodeToString(handle) + "\"")
        + "},\"clientExtensionResults\":{},\"authenticatorAttachment\":\"platform\"}";
  }

  /** Generates a key for an id this authenticator will claim without having registered it. */
  void forge(String credentialIdB64, byte[] userHandle) throws Exception {
    keys.put(credentialIdB64, ec());
    userHandles.put(credentialIdB64, userHandle);
  }

  private String challenge(JsonNode o) {
    return challengeOverride != null ? challengeOverride : o.get("challenge").asString();
  }

  private byte[] clientData(String type, String challenge) {
    return ("{\"type\":\"" + type + "\",\"challenge\":\"" + challenge + "\",\"origin\":\"" + origin
        + "\",\"crossOrigin\":false}").getBytes(StandardCharsets.UTF_8);
  }

  private static KeyPair ec() throws Exception {
    var g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    return g.generateKeyPair();
  }

  static byte[] sha256(byte[] b) throws Exception {
    return MessageDigest.getInstance("SHA-256").digest(b);
  }
}
