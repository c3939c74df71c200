package dev.stepgate.passkey;

import com.webauthn4j.data.AttestationConveyancePreference;
import com.webauthn4j.data.AuthenticatorSelectionCriteria;
import com.webauthn4j.data.PublicKeyCredentialCreationOptions;
import com.webauthn4j.data.PublicKeyCredentialDescriptor;
import com.webauthn4j.data.PublicKeyCredentialParameters;
import com.webauthn4j.data.PublicKeyCredentialRequestOptions;
import com.webauthn4j.data.PublicKeyCredentialRpEntity;
import com.webauthn4j.data.PublicKeyCredentialType;
import com.webauthn4j.data.PublicKeyCredentialUserEntity;
import com.webauthn4j.data.ResidentKeyRequirement;
import com.webauthn4j.data.UserVerificationRequirement;
import com.webauthn4j.data.attestation.statement.COSEAlgorithmIdentifier;
import com.webauthn4j.data.client.Origin;
import com.webauthn4j.data.client.challenge.DefaultChallenge;
import com.webauthn4j.test.authenticator.webauthn.PackedAuthenticator;
import com.webauthn4j.test.authenticator.webauthn.WebAuthnAuthenticatorAdaptor;
import com.webauthn4j.test.client.ClientPlatform;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A browser with a packed authenticator (webauthn4j-test {@link ClientPlatform} + {@link
 * PackedAuthenticator}): takes our options JSON as a page would hand it to {@code
 * parseCreationOptionsFromJSON}, returns what {@code toJSON()} would give back.
 */
public final class EmulatedBrowser {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder B64D = Base64.getUrlDecoder();

  final PackedAuthenticator authenticator = new PackedAuthenticator();
  private final WebAuthnAuthenticatorAdaptor adaptor = new WebAuthnAuthenticatorAdaptor(authenticator);
  String origin;
  String rpIdOverride;

  public EmulatedBrowser(String origin) {
    this.origin = origin;
  }

  public String create(String optionsJson) {
    var o = JSON.readTree(optionsJson);
    var rp = o.get("rp");
    var user = o.get("user");
    var params = new ArrayList<PublicKeyCredentialParameters>();
    for (var p : o.get("pubKeyCredParams"))
      params.add(new PublicKeyCredentialParameters(PublicKeyCredentialType.PUBLIC_KEY, COSEAlgorithmIdentifier.create(p.get("alg").asLong())));
    var sel = o.get("authenticatorSelection");
    var options = new PublicKeyCredentialCreationOptions(
        new PublicKeyCredentialRpEntity(rpIdOverride != null ? rpIdOverride : rp.get("id").asString(), rp.get("name").asString()),
        new PublicKeyCredentialUserEntity(B64D.decode(user.get("id").asString()), user.get("name").asString(), user.get("displayName").asString()),
        new DefaultChallenge(B64D.decode(o.get("challenge").asString())), params, o.get("timeout").asLong(),
        descriptors(o.get("excludeCredentials")),
        new AuthenticatorSelectionCriteria(null, ResidentKeyRequirement.create(sel.get("residentKey").asString()),
            UserVerificationRequirement.create(sel.get("userVerification").asString())),
        AttestationConveyancePreference.create(o.get("attestation").asString()), null);
    var cred = new ClientPlatform(new Origin(origin), adaptor).create(options);
    var r = cred.getResponse();
    return "{\"id\":\"" + B64.encodeToString(cred.getRawId()) + "\",\"rawId\":\"" + B64.encodeToString(cred.getRawId())
        + "\",\"type\":\"public-key\",\"response\":{\"clientDataJSON\":\"" + B64.encodeToString(r.getClientDataJSON())
        + "\",\"attestationObject\":\"" + B64.encodeToString(r.getAttestationObject()) + "\",\"transports\":[\"usb\"]},"
        + "\"clientExtensionResults\":{}}";
  }

  public String get(String optionsJson) {
    var o = JSON.readTree(optionsJson);
    var options = new PublicKeyCredentialRequestOptions(new DefaultChallenge(B64D.decode(o.get("challenge").asString())),
        o.get("timeout").asLong(), rpIdOverride != null ? rpIdOverride : o.get("rpId").asString(),
        descriptors(o.get("allowCredentials")), UserVerificationRequirement.create(o.get("userVerification").asString()), null);
    var cred = new ClientPlatform(new Origin(origin), adaptor).get(options);
    var r = cred.getResponse();
    return "{\"id\":\"" + B64.encodeToString(cred.getRawId()) + "\",\"rawId\":\"" + B64.encodeToString(cred.getRawId())
        + "\",\"type\":\"public-key\",\"response\":{\"clientDataJSON\":\"" + B64.encodeToString(r.getClientDataJSON())
        + "\",\"authenticatorData\":\"" + B64.encodeToString(r.getAuthenticatorData()) + "\",\"signature\":\""
        + B64.encodeToString(r.getSignature()) + "\""
        + (r.getUserHandle() == null ? "" : ",\"userHandle\":\"" + B64.encodeToString(r.getUserHandle()) + "\"")
        + "},\"clientExtensionResults\":{}}";
  }

  private static List<PublicKeyCredentialDescriptor> descriptors(JsonNode list) {
    var out = new ArrayList<PublicKeyCredentialDescriptor>();
    for (var d : list) out.add(new PublicKeyCredentialDescriptor(PublicKeyCredentialType.PUBLIC_KEY, B64D.decode(d.get("id").asString()), Set.of()));
    return out;
  }
}
