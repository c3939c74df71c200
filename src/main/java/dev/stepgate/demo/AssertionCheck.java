package dev.stepgate.demo;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import java.net.URL;
import java.util.Set;

/**
 * What an app behind the gateway does with {@code X-Stepgate-Assertion}: verify the ES256 JWT
 * against the gateway's JWKS and check issuer and audience. The demo shows the outcome.
 */
public interface AssertionCheck {
  AssertionCheck NONE = token -> token == null ? "none (anonymous request)" : "not checked";

  /** A one-line verdict: "verified: …claims…" or "not verified: why". Blocking. */
  String verify(String token);

  /** The claims every assertion carries (SPEC section 6); {@code auth_time} needs a passkey sign-in. */
  Set<String> GATEWAY_CLAIMS = Set.of("sub", "iat", "exp", "auth_time", "acr", "rule");
  /** Bolt-on mode: the app's own login signed the caller in, so there may be no passkey sign-in time. */
  Set<String> BOLT_ON_CLAIMS = Set.of("sub", "iat", "exp", "acr", "rule");

  static AssertionCheck against(URL jwks, String issuer, String audience) {
    return against(jwks, issuer, audience, GATEWAY_CLAIMS);
  }

  static AssertionCheck against(URL jwks, String issuer, String audience, Set<String> requiredClaims) {
    var processor = new DefaultJWTProcessor<SecurityContext>();
    processor.setJWSKeySelector(new JWSVerificationKeySelector<>(JWSAlgorithm.ES256,
        JWKSourceBuilder.create(jwks).retrying(true).build()));
    processor.setJWTClaimsSetVerifier(new DefaultJWTClaimsVerifier<>(audience,
        new JWTClaimsSet.Builder().issuer(issuer).build(), requiredClaims));
    return token -> {
      if (token == null) return "none (anonymous request)";
      try {
        var c = processor.process(token, null);
        return "verified: sub=" + c.getSubject() + ", acr=" + c.getStringClaim("acr") + ", amr=" + c.getClaim("amr")
            + ", rule=" + c.getStringClaim("rule")
            + (c.getClaim("step_up_time") == null ? "" : ", step_up_time=" + c.getClaim("step_up_time"));
      } catch (Exception e) {
        return "not verified (" + e.getMessage() + ")";
      }
    };
  }
}
