package dev.stepgate.identity;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import java.util.Date;
import java.util.Set;

/**
 * Verifies assertions the way an upstream app would: from the published JWKS JSON alone, with
 * nimbus's stock processor. Shares no object with the signer.
 */
final class IndependentVerifier {
  private IndependentVerifier() {}

  /** Verifies {@code token} against {@code jwksJson}, for {@code audience}, as of {@code now}. */
  static JWTClaimsSet verify(String jwksJson, String token, String audience, Date now) throws Exception {
    var jwks = JWKSet.parse(jwksJson);
    var processor = new DefaultJWTProcessor<SecurityContext>();
    processor.setJWSTypeVerifier(new DefaultJOSEObjectTypeVerifier<>(JOSEObjectType.JWT));
    processor.setJWSKeySelector(new JWSVerificationKeySelector<>(JWSAlgorithm.ES256, new ImmutableJWKSet<>(jwks)));
    var claimsVerifier = new DefaultJWTClaimsVerifier<SecurityContext>(audience, null,
        Set.of("iss", "sub", "iat", "exp", "sid", "auth_time", "amr", "acr", "rule", "preferred_username")) {
      @Override
      protected Date currentTime() {
        return now;
      }
    };
    claimsVerifier.setMaxClockSkew(0);
    processor.setJWTClaimsSetVerifier(claimsVerifier);
    return processor.process(token, null);
  }
}
