package dev.stepgate.proxy;

import dev.stepgate.policy.AuthState;
import dev.stepgate.policy.Decision;
import dev.stepgate.policy.PolicyRequest;
import dev.stepgate.policy.PolicySet;
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
 * headers; every other decision is answered here through the {@link DecisionResponder}.
 */
public final class PolicyAdmission implements Admission {
  private final Supplier<PolicySet> policies;
  private final SessionStore sessions;
  private final SessionCookie cookie;
  private final DecisionResponder responder;
  private final IdentityStamp stamp;
  private final Clock clock;
  // Registered once: looking a meter up by name and tags on every request costs a map probe
  // plus Tags allocation on the event loop.
  private final Counter allowed;
  private final Counter login;
  private final Counter stepUp;
  private final Counter denied;

  public PolicyAdmission(Supplier<PolicySet> policies, SessionStore sessions, SessionCookie cookie,
      DecisionResponder responder, IdentityStamp stamp, MeterRegistry metrics, Clock clock) {
    this.policies = policies;
    this.sessions = sessions;
    this.cookie = cookie;
    this.responder = responder;
    this.stamp = stamp;
    this.clock = clock;
    this.allowed = decisions(metrics, "allow");
    this.login = decisions(metrics, "login");
    this.stepUp = decisions(metrics, "step_up");
    this.denied = decisions(metrics, "deny");
  }

  @Override
  public Future<Optional<Map<String, String>>> admit(HttpServerRequest req, RequestTarget target) {
    var session = cookie.read(req.getHeader("Cookie")).flatMap(sessions::find);
    var request = new PolicyRequest(req.method().name(), target.host(), target.path().forPolicy());
    var decision = decide(request, session);
    counter(decision).increment();
    if (decision instanceof Decision.Allow allow) {
      if (session.isEmpty()) return Future.succeededFuture(Optional.of(Map.of()));
      var s = session.get();
      if (allow.consumesStepUp()) {
        var consumed = consume(s);
        if (consumed.isEmpty()) {
          // Another request used this one-time step-up first: decide again, now without it.
          var again = decide(request, sessions.find(s.id()));
          if (again instanceof Decision.StepUp st) responder.stepUp(req, target, st, s);
          else responder.deny(req, new Decision.Deny(again.rule(), again.requirement(), again.reasons()));
          return Future.succeededFuture(Optional.empty());
        }
        s = consumed.get();
      }
      return Future.succeededFuture(Optional.of(stamp.headersFor(s, allow)));
    }
    if (decision instanceof Decision.Login) responder.login(req, target);
    else if (decision instanceof Decision.StepUp stepUp) responder.stepUp(req, target, stepUp, session.orElseThrow());
    else if (decision instanceof Decision.Deny deny) responder.deny(req, deny);
    return Future.succeededFuture(Optional.empty());
  }

  /** The decision for {@code request} made by {@code session}; never throws (fails closed). */
  public Decision decide(PolicyRequest request, Optional<Session> session) {
    return policies.get().decide(request, authState(session));
  }

  AuthState authState(Optional<Session> session) {
    var now = clock.instant();
    if (session.isEmpty()) return AuthState.anonymous(now);
    var s = session.get();
    var state = AuthState.signedIn(s.userId(), s.authTime(), now);
    return s.stepUp().map(u -> state.withStepUp(
        new AuthState.StepUp(u.at(), true, u.backupEligible(), u.credentialCreatedAt(), u.consumed()))).orElse(state);
  }

  /** Marks the session's step-up consumed, atomically; empty if it already was. */
  private Optional<Session> consume(Session s) {
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
