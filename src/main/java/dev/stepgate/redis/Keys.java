package dev.stepgate.redis;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/**
 * Key names in Redis, all under {@link #PREFIX}. Bearer secrets (session ids, ceremony ids) are
 * never stored or published as they are: keys carry their SHA-256 (base64url), so a dump of the
 * database, a {@code MONITOR} or a pub/sub listener yields no cookie.
 */
final class Keys {
  static final String PREFIX = "stepgate:";
  static final String SESSION = PREFIX + "s:";
  static final String USER_SESSIONS = PREFIX + "su:";
  static final String CEREMONY = PREFIX + "c:";
  static final String HELD = PREFIX + "h:";
  static final String HELD_SLOTS = PREFIX + "hs:";
  static final String HELD_EXPIRY = PREFIX + "hb:exp";
  static final String HELD_SIZES = PREFIX + "hb:size";
  static final String HELD_TOTAL = PREFIX + "hb:total";
  static final String COUNTER = PREFIX + "rl:";
  /** Session ends and changes: a node id and the hashed keys of the sessions concerned. */
  static final String SESSIONS_CHANNEL = PREFIX + "sessions";
  /** Revocations: a node id and the revocation. */
  static final String REVOCATIONS_CHANNEL = PREFIX + "revocations";

  private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every Java platform", e);
    }
  });

  private Keys() {}

  /** base64url (no padding) SHA-256 of {@code secret}. */
  static String hash(String secret) {
    // The relay hashes the same session id request after request (the near cache is keyed by
    // it): each thread remembers its last one, compared in constant time.
    var last = LAST.get();
    if (dev.stepgate.ConstantTime.equals(secret, last[0])) return last[1];
    var hashed = digest(secret);
    last[0] = secret;
    last[1] = hashed;
    return hashed;
  }

  /** Each thread's last {@link #hash} argument and result. */
  private static final ThreadLocal<String[]> LAST = ThreadLocal.withInitial(() -> new String[2]);

  private static String digest(String secret) {
    var digest = SHA256.get().digest(secret.getBytes(StandardCharsets.UTF_8));
    return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
  }
}
