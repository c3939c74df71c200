package dev.stepgate.proxy;

import dev.stepgate.identity.AssertionCache;
import dev.stepgate.identity.AssertionClaims;
import dev.stepgate.identity.IdentityHeaders;
import dev.stepgate.policy.Decision;
import dev.stepgate.session.Session;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The identity headers an admitted request carries to the upstream (SPEC section 6): {@code
 * X-Stepgate-User}, the signed {@code X-Stepgate-Assertion} (from the cache: the proxy path never
 * signs per request), and the opt-in compatibility headers.
 */
public final class IdentityStamp {
  private final String issuer;
  private final String audience;
  private final AssertionCache assertions;
  private final IdentityHeaders headers;

  public IdentityStamp(String issuer, String audience, AssertionCache assertions, IdentityHeaders headers) {
    this.issuer = issuer;
    this.audience = audience;
    this.assertions = assertions;
    this.headers = headers;
  }

  /** Headers for a request {@code allow}ed for {@code session}. */
  public Map<String, String> headersFor(Session session, Decision.Allow allow) {
    var stepUp = session.stepUp();
    boolean viaStepUp = allow.passedStepUp() && stepUp.isPresent();
    // amr describes the passkey that authorised this request (RFC 8176 hwk/swk + user).
    boolean backupEligible = viaStepUp ? stepUp.get().backupEligible() : session.backupEligible();
    boolean userVerified = viaStepUp || session.userVerified();
    var claims = new AssertionClaims(
        issuer,
        allow.audience().orElse(audience),
        session.userId(),
        session.username(),
        AssertionClaims.sessionIdHash(session.id()),
        session.authTime(),
        stepUp.map(Session.StepUpRecord::at),
        AssertionClaims.amrFor(backupEligible, userVerified),
        viaStepUp ? AssertionClaims.ACR_STEP_UP : AssertionClaims.ACR_PASSKEY,
        allow.rule());
    var out = new LinkedHashMap<String, String>(headers.forUpstream(session.username(), Optional.empty()));
    out.put(IdentityHeaders.STEPGATE_ASSERTION, assertions.assertionFor(claims).token());
    return out;
  }
}
