package dev.stepgate.admission;

import dev.stepgate.policy.Decision;
import dev.stepgate.policy.PolicyRequest;
import dev.stepgate.policy.PolicySet;
import dev.stepgate.policy.Requirement;
import dev.stepgate.session.Session;
import dev.stepgate.session.SessionCookie;
import dev.stepgate.session.SessionStore;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * The one way in: every request — relay, Vert.x path, forward-auth, held replay — is decided here
 * and gets a {@link Verdict} back. The steps, in order:
 *
 * <ol>
 *   <li>origin check ({@link OriginCheck}: cross-site WebSocket upgrades)
 *   <li>caller ({@link CallerStep}: the session the cookie names, with the user's groups)
 *   <li>rate limit ({@link RateLimitStep}: forward-auth, per client address and account)
 *   <li>policy decision ({@link PolicyStep})
 *   <li>one-time consumption ({@link OneTimeConsumption})
 *   <li>identity stamp ({@link IdentityStamp})
 * </ol>
 *
 * A second caller source is one more step here, not another entry point. Every
 * decision is told to the {@link DecisionListener} once per request. A failed stage means the
 * request could not be decided: the caller answers {@link Problems#UNAVAILABLE}, never forwards.
 */
public final class AdmissionPipeline implements Admission {
  private final OriginCheck origin;
  private final CallerStep caller;
  private final RateLimitStep limits;
  private final PolicyStep policy;
  private final OneTimeConsumption oneTime;
  private final IdentityStamp stamp;
  private final DecisionListener listener;
  private final Optional<AppSessionCaller> app;

  /** A gateway-mode pipeline whose callers have no groups ({@link GroupSource#NONE}). */
  public AdmissionPipeline(Supplier<PolicySet> policies, SessionStore sessions, SessionCookie cookie, IdentityStamp stamp,
      ServedOrigins origins, DecisionListener listener, dev.stepgate.ratelimit.Limiter limiter, Clock clock) {
    this(policies, sessions, cookie, GroupSource.NONE, stamp, origins, listener, limiter, clock, Optional.empty());
  }

  /** @param groups where a signed-in caller's groups come from (gateway mode) */
  public AdmissionPipeline(Supplier<PolicySet> policies, SessionStore sessions, SessionCookie cookie, GroupSource groups,
      IdentityStamp stamp, ServedOrigins origins, DecisionListener listener, dev.stepgate.ratelimit.Limiter limiter,
      Clock clock) {
    this(policies, sessions, cookie, groups, stamp, origins, listener, limiter, clock, Optional.empty());
  }

  /** Bolt-on mode without a gateway group source: the app's answer carries the groups. */
  public AdmissionPipeline(Supplier<PolicySet> policies, SessionStore sessions, SessionCookie cookie, IdentityStamp stamp,
      ServedOrigins origins, DecisionListener listener, dev.stepgate.ratelimit.Limiter limiter, Clock clock,
      Optional<AppSessionCaller> app) {
    this(policies, sessions, cookie, GroupSource.NONE, stamp, origins, listener, limiter, clock, app);
  }

  /**
   * @param groups where a signed-in caller's groups come from in gateway mode (the cookie's
   *     session); unused when {@code app} is present
   * @param app bolt-on mode's caller source (SPEC section 8): present, the caller is whoever the
   *     app's own session names, and an anonymous caller of an {@code authenticated} rule is
   *     forwarded as it is, so the app's own login handles it
   */
  public AdmissionPipeline(Supplier<PolicySet> policies, SessionStore sessions, SessionCookie cookie, GroupSource groups,
      IdentityStamp stamp, ServedOrigins origins, DecisionListener listener, dev.stepgate.ratelimit.Limiter limiter,
      Clock clock, Optional<AppSessionCaller> app) {
    this.app = app;
    this.limits = new RateLimitStep(limiter);
    this.policy = new PolicyStep(policies, clock);
    this.origin = new OriginCheck(origins, policy);
    this.caller = new CallerStep(sessions, cookie, groups);
    this.oneTime = new OneTimeConsumption(sessions);
    this.stamp = stamp;
    this.listener = listener;
  }

  /** Decides {@code request}; the stage fails only when it cannot be decided (a store is down). */
  @Override
  public CompletionStage<Verdict> admit(AdmissionRequest request) {
    try {
      var refused = origin.check(request);
      if (refused.isPresent()) return CompletableFuture.completedFuture(refused.get());
      return callerOf(request)
          .handle((session, err) -> err == null ? limited(request, session) : unknownCaller(request, err))
          .thenCompose(verdict -> verdict);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /**
   * The session store could not say who is calling (SPEC section 7: it is down). A route that
   * lets anyone pass still does, without an identity (nothing is vouched for that could not be
   * checked); every other request fails with the store's error, so it is answered 503.
   */
  private CompletionStage<Verdict> unknownCaller(AdmissionRequest request, Throwable err) {
    var anonymous = policy.decide(request, Optional.empty());
    if (!(anonymous instanceof Decision.Allow allow) || allow.consumesStepUp()) return CompletableFuture.failedFuture(err);
    listener.decided(allow, request.entry());
    return CompletableFuture.completedFuture(forward(allow, Optional.empty()));
  }

  /**
   * Decides at once from what this node knows now, changing nothing: a {@link Verdict.Forward}
   * when the request may pass as it is; empty when it needs {@link #admit} (any refusal or
   * challenge, a one-time step-up to spend, an upgrade, or a caller this node does not know now).
   * Only a forward is counted here; everything else is counted when {@link #admit} decides it.
   */
  @Override
  public Optional<Verdict.Forward> admitAtOnce(AdmissionRequest request) {
    if (request.upgrade()) return Optional.empty();
    var known = app.isPresent() ? app.get().callerNow(request.cookieHeader()) : caller.callerNow(request);
    if (known.isEmpty()) return Optional.empty();
    var session = known.get();
    var decision = appLogin(policy.decide(request, session));
    if (!(decision instanceof Decision.Allow allow) || allow.consumesStepUp()) return Optional.empty();
    listener.decided(allow, request.entry());
    return Optional.of(forward(allow, session));
  }

  /**
   * The rate limit, then the decision. When the counter cannot answer (it lives where sessions do),
   * the request is decided as when the caller cannot be known: a public route passes anonymously,
   * anything else fails (503), never passes unlimited.
   */
  private CompletionStage<Verdict> limited(AdmissionRequest request, Optional<Session> session) {
    return limits.check(request, session)
        .handle((refused, err) -> err != null ? unknownCaller(request, err)
            : refused.isPresent() ? CompletableFuture.completedFuture(refused.get()) : decide(request, session))
        .thenCompose(verdict -> verdict);
  }

  private CompletionStage<Optional<Session>> callerOf(AdmissionRequest request) {
    return app.isPresent() ? app.get().caller(request.cookieHeader()) : caller.caller(request);
  }

  /**
   * Bolt-on mode: an anonymous caller of an {@code authenticated} rule goes to the app as it is
   * (with no identity), whose own login page then handles it (SPEC section 8). Every other
   * decision stands: a {@code step_up} rule still needs an app user first.
   */
  private Decision appLogin(Decision decision) {
    if (app.isEmpty() || !(decision instanceof Decision.Login login) || login.requirement() != Requirement.AUTHENTICATED)
      return decision;
    var reasons = new java.util.ArrayList<>(login.reasons());
    reasons.add("bolt-on mode: forwarded without identity; the app's own login handles it");
    return new Decision.Allow(login.rule(), login.requirement(), reasons, false, false, Optional.empty(), Optional.empty());
  }

  private CompletionStage<Verdict> decide(AdmissionRequest request, Optional<Session> session) {
    var decision = appLogin(policy.decide(request, session));
    listener.decided(decision, request.entry());
    if (decision instanceof Decision.Allow allow) {
      if (session.isEmpty() || !allow.consumesStepUp()) return CompletableFuture.completedFuture(forward(allow, session));
      var s = session.get();
      // The store's session after spending carries no groups: the ones this request was decided with stay.
      return oneTime.spend(s, allow).thenCompose(spent -> spent.isPresent()
          ? CompletableFuture.completedFuture(forward(allow, spent.map(x -> x.withGroups(s.groups()))))
          : callerOf(request).thenApply(now -> lostRace(request, s, now)));
    }
    return CompletableFuture.completedFuture(verdictFor(decision, session));
  }

  /** Another request spent this one-time step-up first: decided again without it (a step-up, else a deny). */
  private Verdict lostRace(AdmissionRequest request, Session s, Optional<Session> now) {
    var again = policy.decide(request, now);
    if (again instanceof Decision.StepUp) return new Verdict.Challenge(again, Optional.of(now.orElse(s)));
    return new Verdict.Refuse(Problems.FORBIDDEN.with("rule", again.rule()),
        Optional.of(new Decision.Deny(again.rule(), again.requirement(), again.reasons())));
  }

  private Verdict.Forward forward(Decision.Allow allow, Optional<Session> session) {
    Map<String, String> identity = session.isEmpty() ? Map.of() : stamp.headersFor(session.get(), allow);
    return new Verdict.Forward(identity, allow, session);
  }

  private static Verdict verdictFor(Decision decision, Optional<Session> session) {
    if (decision instanceof Decision.Login) return new Verdict.Challenge(decision, Optional.empty());
    if (decision instanceof Decision.StepUp) return new Verdict.Challenge(decision, session);
    return new Verdict.Refuse(Problems.FORBIDDEN.with("rule", decision.rule()), Optional.of(decision));
  }

  /** The decision for {@code request} made by {@code session}, counting and changing nothing (the prompt's view). */
  public Decision decide(PolicyRequest request, Optional<Session> session) {
    return policy.decide(request, session);
  }

  /** True when the policy in force has a rule named {@code name}. */
  public boolean hasRule(String name) {
    return policy.policies().rule(name).isPresent();
  }

  /** The rule that decides {@code method host path} regardless of who asks (a step-up's subject). */
  public String ruleFor(String method, String host, String path) {
    return policy.decide(new PolicyRequest(method, host, path), Optional.empty()).rule();
  }
}
