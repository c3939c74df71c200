package dev.stepgate.ui;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The admin API's bearer token ({@code admin_token}, SPEC section 2), checked against an {@code
 * Authorization} header (RFC 6750 §2.1: {@code Bearer <token>}, the scheme in any letter case).
 * Only the token's SHA-256 is kept; a presented token is hashed too and the two digests compared
 * with {@link MessageDigest#isEqual}, so neither its bytes nor its length shows in the time an
 * answer takes. Never printed: {@link #toString} says nothing of it.
 */
final class AdminToken {
  private static final String SCHEME = "bearer ";
  /** Longer headers are refused before any hashing: a token is far shorter (bounded work per refusal). */
  static final int MAX_HEADER = 1024;

  private final byte[] digest;

  AdminToken(String token) {
    if (token == null || token.isEmpty()) throw new IllegalArgumentException("token must not be empty");
    this.digest = sha256(token);
  }

  /** Whether {@code authorization} (the header's value, or null) is {@code Bearer} and this token. */
  boolean matches(String authorization) {
    if (authorization == null || authorization.length() > MAX_HEADER || authorization.length() <= SCHEME.length()
        || !authorization.regionMatches(true, 0, SCHEME, 0, SCHEME.length()))
      return false;
    return MessageDigest.isEqual(digest, sha256(authorization.substring(SCHEME.length())));
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing", e);
    }
  }

  @Override
  public String toString() {
    return "AdminToken[redacted]";
  }
}
