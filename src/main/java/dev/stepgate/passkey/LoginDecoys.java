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
 * under the installation's decoy key (kept in storage: {@code InstallSecrets}), so the same name
 * gets the same decoys on every node and after every restart; a per-process key would let anyone
 * who asks twice across a restart tell decoys (changed) from real passkeys (kept).
 */
final class LoginDecoys {
  private static final Set<String> TRANSPORTS = Set.of("internal", "hybrid");

  private final SecretKeySpec key;

  /** @param secret the installation's decoy key, at least 32 bytes */
  LoginDecoys(byte[] secret) {
    if (secret == null || secret.length < 32) throw new IllegalArgumentException("decoy key must be at least 32 bytes");
    key = new SecretKeySpec(secret.clone(), "HmacSHA256");
  }

  /** A fresh random decoy key (for a new installation's {@code InstallSecrets} entry). */
  static byte[] newKey() {
    var secret = new byte[32];
    new SecureRandom().nextBytes(secret);
    return secret;
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
