package dev.stepgate.identity;

import java.time.Instant;

/**
 * A signed {@code X-Stepgate-Assertion}. The token is a bearer credential for the upstream:
 * {@link #toString()} leaves it out so it never reaches a log line.
 *
 * @param token the compact JWS (RFC 7515 §7.1), the header value
 * @param kid the key that signed it
 * @param issuedAt its {@code iat}
 * @param expiresAt its {@code exp}
 */
public record SignedAssertion(String token, String kid, Instant issuedAt, Instant expiresAt) {
  public SignedAssertion {
    if (token == null || token.isBlank()) throw new IllegalArgumentException("token must not be blank");
    if (kid == null || kid.isBlank()) throw new IllegalArgumentException("kid must not be blank");
    if (issuedAt == null || expiresAt == null) throw new IllegalArgumentException("times must not be null");
    if (!expiresAt.isAfter(issuedAt)) throw new IllegalArgumentException("expiresAt must be after issuedAt");
  }

  @Override
  public String toString() {
    return "SignedAssertion[kid=" + kid + ", issuedAt=" + issuedAt + ", expiresAt=" + expiresAt + "]";
  }
}
