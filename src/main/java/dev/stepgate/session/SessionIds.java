package dev.stepgate.session;

import java.security.SecureRandom;
import java.util.Base64;

/** 256-bit random session ids, base64url without padding (43 characters). */
public final class SessionIds {
  private static final SecureRandom RANDOM = new SecureRandom();

  private SessionIds() {}

  public static String next() {
    var bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /**
   * What names session {@code id} wherever its id must not appear (the account page's list, the
   * audit trail's {@code sid}): {@link dev.stepgate.audit.AuditEntry#sessionHash}, the first 16
   * bytes of its SHA-256, base64url. The id cannot be recovered from it.
   */
  public static String handle(String id) {
    return dev.stepgate.audit.AuditEntry.sessionHash(id);
  }
}
