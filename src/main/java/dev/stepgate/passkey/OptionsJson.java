package dev.stepgate.passkey;

import dev.stepgate.credential.StoredCredential;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** Writes WebAuthn L3 options JSON (§5.4 creation, §5.5 request) exactly as browsers parse it. */
final class OptionsJson {
  /** ES256, EdDSA, RS256: the algorithms offered and, on finish, the only ones accepted. */
  static final List<Long> ALGORITHMS = List.of(-7L, -8L, -257L);

  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

  private OptionsJson() {}

  /** A credential descriptor to list in exclude/allowCredentials (WebAuthn L3 §5.8.3). */
  record Descriptor(byte[] id, Set<String> transports) {
    Descriptor {
      id = id.clone();
      transports = Set.copyOf(transports);
    }

    static Descriptor of(StoredCredential c) {
      return new Descriptor(c.credentialId(), c.transports());
    }
  }

  static String creation(PasskeySettings s, Ceremony c, String userName, String displayName, byte[] userId,
      List<Descriptor> exclude, long timeoutMillis) {
    var o = JSON.createObjectNode();
    o.putObject("rp").put("id", s.rpId()).put("name", s.rpName());
    o.putObject("user").put("id", B64.encodeToString(userId)).put("name", userName).put("displayName", displayName);
    o.put("challenge", c.challenge());
    var params = o.putArray("pubKeyCredParams");
    for (var alg : ALGORITHMS) params.addObject().put("type", "public-key").put("alg", alg);
    o.put("timeout", timeoutMillis);
    descriptors(o.putArray("excludeCredentials"), exclude);
    o.putObject("authenticatorSelection")
        .put("residentKey", "required")
        .put("requireResidentKey", true)
        .put("userVerification", c.userVerificationRequired() ? "required" : "preferred");
    o.putArray("hints");
    o.put("attestation", s.attestationDirect() ? "direct" : "none");
    o.putObject("extensions").put("credProps", true);
    return JSON.writeValueAsString(o);
  }

  static String request(PasskeySettings s, Ceremony c, List<Descriptor> allow, long timeoutMillis) {
    var o = JSON.createObjectNode();
    o.put("challenge", c.challenge());
    o.put("timeout", timeoutMillis);
    o.put("rpId", s.rpId());
    descriptors(o.putArray("allowCredentials"), allow);
    o.put("userVerification", c.userVerificationRequired() ? "required" : "preferred");
    o.putArray("hints");
    return JSON.writeValueAsString(o);
  }

  private static void descriptors(ArrayNode into, List<Descriptor> list) {
    for (var d : list) {
      ObjectNode n = into.addObject().put("type", "public-key").put("id", B64.encodeToString(d.id()));
      var t = n.putArray("transports");
      d.transports().stream().sorted().forEach(t::add);
    }
  }
}
