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
}
