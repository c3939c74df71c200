package dev.stepgate.proxy;

import dev.stepgate.policy.AuthState;
import dev.stepgate.policy.Decision;
import dev.stepgate.policy.PolicyRequest;
import dev.stepgate.policy.PolicySet;
import dev.stepgate.policy.Requirement;
import dev.stepgate.session.Session;
import dev.stepgate.session.SessionCookie;
import dev.stepgate.session.SessionStore;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServerRequest;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Session → policy → decision for one proxied request. Allowed requests get their identity
 * headers; every other decision is answered here through the {@link DecisionResponder}. A
 * WebSocket upgrade from another site's page to a route that is not {@code public} is refused
 * before anything else (cross-site WebSocket hijacking).
 */
public final class PolicyAdmission implements Admission {
  private final Supplier<PolicySet> policies;
  private final SessionStore sessions;
  private final SessionCookie cookie;
  private final DecisionResponder responder;
  private final IdentityStamp stamp;
  private final ServedOrigins origins;
  private final Clock clock;
  // Registered once: looking a meter up by name and tags on every request costs a map probe
  // plus Tags allocation on the event loop.
  private final Counter allowed;
  private final Counter login;
  private final Counter stepUp;
  private final Counter denied;

  /** @param origins the origins the gateway serves, for the {@code Origin} of WebSocket upgrades */
  public PolicyAdmission(Supplier<PolicySet> policies, SessionStore sessions, SessionCookie cookie,
      DecisionResponder responder, IdentityStamp stamp, ServedOrigins origins, MeterRegistry metrics, Clock clock) {
    this.policies = policies;
    this.sessions = sessions;
    this.cookie = cookie;
    this.responder = responder;
    this.stamp = stamp;
    this.origins = origins;
    this.clock = clock;
    this.allowed = decisions(metrics, "allow");
    this.login = decisions(metrics, "login");
    this.stepUp = decisions(metrics, "step_up");
    this.denied = decisions(metrics, "deny");
  }

  @Override
  public Future<Optional<Map<String, String>>> admit(HttpServerRequest req, RequestTarget target) {
    var request = new PolicyRequest(req.method().name(), target.host(), target.path().forPolicy());
    if (crossSiteUpgrade(req, request)) {
      responder.crossSiteUpgrade(req);
      return Future.succeededFuture(Optional.empty());
    }
    var session = session(req.getHeader("Cookie"));
    var outcome = evaluate(request, session);
    if (outcome.identity().isPresent()) return Future.succeededFuture(outcome.identity());
    var decision = outcome.decision();
    if (decision instanceof Decision.Login) responder.login(req, target);
    else if (decision instanceof Decision.StepUp stepUp) responder.stepUp(req, target, stepUp, outcome.session().orElseThrow());
    else if (decision instanceof Decision.Deny deny) responder.deny(req, deny);
    return Future.succeededFuture(Optional.empty());
  }

  /**
   * True for a WebSocket upgrade whose {@code Origin} is not served here, to a route that is not
   * {@code public}. The handshake carries the browser's cookies but the same-origin policy does
   * not apply to it (RFC 6455 §10.2: the server must check Origin), so without this check any site
   * the user visits could open the user's authenticated socket. A browser always sends Origin on
   * the handshake; an upgrade without one comes from a non-browser client, which holds its cookie
   * itself and cannot be lured into this, so it passes on to the policy like any request.
   */
  private boolean crossSiteUpgrade(HttpServerRequest req, PolicyRequest request) {
    if (!WebSocketForwarder.isUpgrade(req)) return false;
    var sent = req.headers().getAll("Origin");
    if (sent.isEmpty() || origins.includes(sent)) return false;
    // The rule's requirement, whoever asks (a failure to decide is a deny: refused too).
    return policies.get().decide(request, authState(Optional.empty())).requirement() != Requirement.PUBLIC;
  }

  @Override
  public Optional<Map<String, String>> admitAtOnce(String method, RequestTarget target, String cookieHeader) {
    var session = session(cookieHeader);
    var decision = decide(new PolicyRequest(method, target.host(), target.path().forPolicy()), session);
    if (!(decision instanceof Decision.Allow allow) || allow.consumesStepUp()) return Optional.empty();
    allowed.increment();
    return Optional.of(session.isEmpty() ? Map.of() : stamp.headersFor(session.get(), allow));
  }

  /** The live session a {@code Cookie} header names, if any. */
  public Optional<Session> session(String cookieHeader) {
    return cookie.read(cookieHeader).flatMap(sessions::find);
  }

  /**
   * The final decision on one request, exactly as the proxy makes it: an {@code Allow} that needs a
   * one-time ({@code max_age: 0s}) step-up consumes it here, and a request that lost the race for
   * it is decided again without it. Shared by the in-line proxy and forward-auth.
   *
   * @param decision {@code Allow} (then {@code identity} is present), {@code Login}, {@code StepUp}
   *     (then {@code session} is present) or {@code Deny}
   * @param identity the headers for the upstream when allowed
   */
  public record Outcome(Decision decision, Optional<Session> session, Optional<Map<String, String>> identity) {}

  public Outcome evaluate(PolicyRequest request, Optional<Session> session) {
    var decision = decide(request, session);
    counter(decision).increment();
    if (!(decision instanceof Decision.Allow allow)) return new Outcome(decision, session, Optional.empty());
    if (session.isEmpty()) return new Outcome(allow, session, Optional.of(Map.of()));
    var s = session.get();
    if (allow.consumesStepUp()) {
      var consumed = consume(s);
      if (consumed.isEmpty()) {
        // Another request used this one-time step-up first: decide again, now without it.
        var again = decide(request, sessions.find(s.id()));
        if (!(again instanceof Decision.StepUp)) again = new Decision.Deny(again.rule(), again.requirement(), again.reasons());
        return new Outcome(again, Optional.of(s), Optional.empty());
      }
      s = consumed.get();
    }
    return new Outcome(allow, Optional.of(s), Optional.of(stamp.headersFor(s, allow)));
  }

  /** The decision for {@code request} made by {@code session}; never throws (fails closed). */
  public Decision decide(PolicyRequest request, Optional<Session> session) {
    // The policy itself binds a one-time step-up to the rule it was confirmed for (forRule).
    return policies.get().decide(request, authState(session));
  }

  /** True when the policy in force has a rule named {@code name}. */
  public boolean hasRule(String name) {
    return policies.get().rule(name).isPresent();
  }

  /** The rule that decides {@code method path} regardless of who asks (a step-up's subject). */
  public String ruleFor(String method, String host, String path) {
    return policies.get().decide(new PolicyRequest(method, host, path), authState(Optional.empty())).rule();
  }

  AuthState authState(Optional<Session> session) {
    var now = clock.instant();
    if (session.isEmpty()) return AuthState.anonymous(now);
    var s = session.get();
    var state = AuthState.signedIn(s.userId(), s.authTime(), now);
    return s.stepUp().map(u -> state.withStepUp(
        new AuthState.StepUp(u.at(), true, u.backupEligible(), u.credentialCreatedAt(), u.consumed(), u.forRule())))
        .orElse(state);
  }

  /** Marks the session's step-up consumed, atomically; empty if it already was. */
  Optional<Session> consume(Session s) {
    boolean[] won = {false};
    var updated = sessions.update(s.id(), current -> current.stepUp()
        .filter(u -> !u.consumed())
        .map(u -> {
          won[0] = true;
          return current.withStepUp(u.consume());
        })
        .orElse(current));
    return won[0] ? updated : Optional.empty();
  }

  private static Counter decisions(MeterRegistry metrics, String kind) {
    return metrics.counter("stepgate.decisions", "decision", kind);
  }

  private Counter counter(Decision d) {
    if (d instanceof Decision.Allow) return allowed;
    if (d instanceof Decision.Login) return login;
    if (d instanceof Decision.StepUp) return stepUp;
    return denied;
  }
}
