package dev.stepgate.passkey;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Plausible {@code allowCredentials} for usernames that have no passkey, so that login options do
 * not reveal which accounts exist (WebAuthn L3 §14.6.2). Derived from an HMAC of the username
 * under a per-process secret: the same name gets the same decoys for the life of the process.
 */
final class LoginDecoys {
  private static final Set<String> TRANSPORTS = Set.of("internal", "hybrid");

  private final SecretKeySpec key;

  LoginDecoys() {
    var secret = new byte[32];
    new SecureRandom().nextBytes(secret);
    key = new SecretKeySpec(secret, "HmacSHA256");
  }

  /** One or two 32-byte decoy ids for {@code username}. */
  List<OptionsJson.Descriptor> forUsername(String username) {
    var first = mac("decoy|" + username + "|0");
    int count = 1 + (first[0] & 1);
    var out = new ArrayList<OptionsJson.Descriptor>();
    out.add(new OptionsJson.Descriptor(first, TRANSPORTS));
    for (int i = 1; i < count; i++) out.add(new OptionsJson.Descriptor(mac("decoy|" + username + "|" + i), TRANSPORTS));
    return out;
  }

  private byte[] mac(String input) {
    try {
      var m = Mac.getInstance("HmacSHA256");
      m.init(key);
      return m.doFinal(input.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException(e);
    }
  }
}
