package dev.stepgate.identity;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;

/**
 * Signs {@code X-Stepgate-Assertion} tokens (SPEC section 6): a compact JWS (RFC 7515 §7.1) using
 * ES256 (RFC 7518 §3.4) whose header names the signing {@code kid} and {@code typ: JWT} (RFC 7519
 * §5.1), and whose payload is a JWT claims set (RFC 7519 §4) with {@code iat} and {@code exp} added
 * to the {@link AssertionClaims}.
 *
 * <p>{@code typ} is the generic {@code JWT} rather than an explicit media type (RFC 8725 §3.11)
 * because the upstream apps verify with off-the-shelf libraries, many of which accept only {@code
 * JWT}; the {@code aud} (the upstream) and {@code iss} claims keep these tokens from being mistaken
 * for another issuer's. The {@code jti}, when present, names the session's step-up (see {@link
 * AssertionClaims#jtiFor}), not the token: equal claims still yield interchangeable tokens, which
 * is what lets {@link AssertionCache} reuse them.
 *
 * <p>Each call signs; on the request path use {@link AssertionCache}. Thread-safe.
 */
public final class AssertionSigner {

  /** The longest lifetime SPEC section 6 allows ({@code exp - iat}). */
  public static final Duration MAX_LIFETIME = Duration.ofSeconds(300);

  private final SigningKeys keys;
  private final Clock clock;
  private final Duration lifetime;

  /**
   * @param lifetime {@code exp - iat}; whole seconds, positive and at most {@link #MAX_LIFETIME}
   */
  public AssertionSigner(SigningKeys keys, Clock clock, Duration lifetime) {
    if (keys == null) throw new IllegalArgumentException("keys must not be null");
    if (clock == null) throw new IllegalArgumentException("clock must not be null");
    if (lifetime == null || lifetime.isNegative() || lifetime.isZero() || lifetime.compareTo(MAX_LIFETIME) > 0)
      throw new IllegalArgumentException("lifetime must be positive and at most " + MAX_LIFETIME.toSeconds() + "s");
    if (lifetime.getNano() != 0) throw new IllegalArgumentException("lifetime must be whole seconds");
    this.keys = keys;
    this.clock = clock;
    this.lifetime = lifetime;
  }

  /** {@code exp - iat} of every token this signer issues. */
  public Duration lifetime() {
    return lifetime;
  }

  /** The kid that {@link #sign} uses now. */
  public String currentKid() {
    return keys.currentKid();
  }

  /**
   * Signs {@code claims} with the current key, issued now and expiring after {@link #lifetime()}.
   *
   * @throws IdentityException if the signature cannot be made (fail closed: nothing is forwarded)
   */
  public SignedAssertion sign(AssertionClaims claims) {
    var key = keys.current();
    var iat = clock.instant().truncatedTo(ChronoUnit.SECONDS);
    var exp = iat.plus(lifetime);
    var header = new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(key.kid()).type(JOSEObjectType.JWT).build();
    var jwt = new SignedJWT(header, toClaimsSet(claims, iat, exp));
    try {
      jwt.sign(key.signer());
    } catch (JOSEException e) {
      throw new IdentityException(IdentityException.KEY_UNUSABLE,
          "cannot sign an assertion with key " + key.kid(), e);
    }
    return new SignedAssertion(jwt.serialize(), key.kid(), iat, exp);
  }

  /** The SPEC section 6 claim names, in the order of its table. */
  static JWTClaimsSet toClaimsSet(AssertionClaims c, Instant iat, Instant exp) {
    var b = new JWTClaimsSet.Builder()
        .issuer(c.iss())
        .audience(c.aud())
        .subject(c.sub())
        .claim("preferred_username", c.preferredUsername())
        .issueTime(Date.from(iat))
        .expirationTime(Date.from(exp))
        .claim("sid", c.sid())
        .claim("auth_time", c.authTime().getEpochSecond());
    c.stepUpTime().ifPresent(t -> b.claim("step_up_time", t.getEpochSecond()));
    c.jti().ifPresent(b::jwtID);
    if (!c.amr().isEmpty()) b.claim("amr", c.amr());
    b.claim("acr", c.acr()).claim("rule", c.rule());
    if (!c.groups().isEmpty()) b.claim("groups", c.groups());
    return b.build();
  }
}
