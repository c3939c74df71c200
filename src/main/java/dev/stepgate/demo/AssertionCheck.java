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

  static AssertionCheck against(URL jwks, String issuer, String audience) {
    var processor = new DefaultJWTProcessor<SecurityContext>();
    processor.setJWSKeySelector(new JWSVerificationKeySelector<>(JWSAlgorithm.ES256,
        JWKSourceBuilder.create(jwks).retrying(true).build()));
    processor.setJWTClaimsSetVerifier(new DefaultJWTClaimsVerifier<>(audience,
        new JWTClaimsSet.Builder().issuer(issuer).build(), Set.of("sub", "iat", "exp", "auth_time", "acr", "rule")));
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
