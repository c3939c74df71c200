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
    // A connection's requests come with the very same session object (stores hand out the one
    // they hold): this thread's last stamp is checked by identity first, without a key to hash.
    var last = LAST.get();
    if (last.session == session && last.viaStepUp == viaStepUp && java.util.Objects.equals(last.rule, allow.rule())
        && java.util.Objects.equals(last.audience, allow.audience()) && last.owner == this && assertions.reusable(last.stamped.assertion()))
      return last.stamped.headers();
    var key = new Stamp(session, allow.rule(), allow.audience(), viaStepUp);
    var kept = stamped.getIfPresent(key);
    if (kept != null && assertions.reusable(kept.assertion())) return last.remember(this, key, kept);
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
    var made = new Stamped(result, assertion);
    stamped.put(key, made);
    last.remember(this, key, made);
    return result;
  }

  /** Each thread's last stamp: its session (compared by identity), the decision's part, the headers. */
  private static final ThreadLocal<Last> LAST = ThreadLocal.withInitial(Last::new);

  private static final class Last {
    private IdentityStamp owner;
    private Session session;
    private String rule = "";
    private Optional<String> audience = Optional.empty();
    private boolean viaStepUp;
    private Stamped stamped;

    Map<String, String> remember(IdentityStamp owner, Stamp key, Stamped value) {
      this.owner = owner;
      this.session = key.session();
      this.rule = key.rule();
      this.audience = key.audience();
      this.viaStepUp = key.viaStepUp();
      this.stamped = value;
      return value.headers();
    }
  }

  /**
   * What the headers of one signed-in request depend on. A session is immutable (a step-up or a
   * new id makes a new one), so an equal key means equal claims.
   */
  private record Stamp(Session session, String rule, Optional<String> audience, boolean viaStepUp) {}

  private record Stamped(Map<String, String> headers, SignedAssertion assertion) {}
}
