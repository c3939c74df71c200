package dev.stepgate.admission;

import dev.stepgate.identity.AssertionCache;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.stepgate.identity.AssertionClaims;
import dev.stepgate.identity.AssertionSigner;
import dev.stepgate.identity.IdentityHeaders;
import dev.stepgate.identity.SignedAssertion;
import dev.stepgate.policy.Decision;
import dev.stepgate.session.Session;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The identity headers an admitted request carries to the upstream (SPEC section 6): {@code
 * X-Stepgate-User}, the signed {@code X-Stepgate-Assertion} (from the cache: the proxy path never
 * signs per request), and the opt-in compatibility headers, each with the groups the caller's
 * session carries (a change of groups makes a new session value, so a new stamp and token).
 */
public final class IdentityStamp {
  private final String issuer;
  private final String audience;
  private final AssertionCache assertions;
  private final IdentityHeaders headers;

  /**
   * The headers last made for a session and decision, so the signed-in request path does not build
   * claims (and hash the session id) per request; whether the token in them may still be handed out
   * is {@link AssertionCache#reusable}'s call every time.
   */
  private final Cache<Stamp, Stamped> stamped;

  public IdentityStamp(String issuer, String audience, AssertionCache assertions, IdentityHeaders headers) {
    this.issuer = issuer;
    this.audience = audience;
    this.assertions = assertions;
    this.headers = headers;
    this.stamped = Caffeine.newBuilder().maximumSize(AssertionCache.DEFAULT_MAXIMUM_SIZE)
        .expireAfterWrite(AssertionSigner.MAX_LIFETIME)
        .executor(Runnable::run) // upkeep inline: no hand-off to the ForkJoin pool from the request path
        .build();
  }

  /** Headers for a request {@code allow}ed for {@code session}. */
  public Map<String, String> headersFor(Session session, Decision.Allow allow) {
    var stepUp = session.stepUp();
    boolean viaStepUp = allow.passedStepUp() && stepUp.isPresent();
    // Everything the headers depend on: the session (all of it, as held), and the decision's part.
    var key = new Stamp(session, allow.rule(), allow.audience(), viaStepUp);
    var kept = stamped.getIfPresent(key);
    if (kept != null && assertions.reusable(kept.assertion())) return kept.headers();
    // amr describes the passkey that authorised this request (RFC 8176 hwk/swk + user).
    boolean backupEligible = viaStepUp ? stepUp.get().backupEligible() : session.backupEligible();
    boolean userVerified = viaStepUp || session.userVerified();
    // Bolt-on (the app's own session): only a step-up is something stepgate verified (SPEC section 8).
    boolean appSession = session.appBinding().isPresent();
    var amr = appSession && !viaStepUp ? java.util.List.<String>of() : AssertionClaims.amrFor(backupEligible, userVerified);
    var acr = viaStepUp ? AssertionClaims.ACR_STEP_UP : appSession ? AssertionClaims.ACR_APP_SESSION : AssertionClaims.ACR_PASSKEY;
    var claims = new AssertionClaims(
        issuer,
        allow.audience().orElse(audience),
        session.userId(),
        session.username(),
        AssertionClaims.sessionIdHash(session.id()),
        session.authTime(),
        stepUp.map(Session.StepUpRecord::at),
        amr,
        acr,
        allow.rule(),
        stepUp.map(u -> AssertionClaims.jtiFor(session.id(), u.at())),
        // All of the user's groups (attached at admission), not only those a rule names.
        List.copyOf(session.groups()));
    var assertion = assertions.assertionFor(claims);
    var out = new LinkedHashMap<String, String>(headers.forUpstream(session.username(), Optional.empty(), claims.groups()));
    out.put(IdentityHeaders.STEPGATE_ASSERTION, assertion.token());
    var result = Collections.unmodifiableMap(out);
    stamped.put(key, new Stamped(result, assertion));
    return result;
  }

  /**
   * What the headers of one signed-in request depend on. A session is immutable (a step-up or a
   * new id makes a new one), so an equal key means equal claims.
   */
  private record Stamp(Session session, String rule, Optional<String> audience, boolean viaStepUp) {}

  private record Stamped(Map<String, String> headers, SignedAssertion assertion) {}
}
