package dev.stepgate.proxy;

import dev.stepgate.admission.Problems;
import dev.stepgate.policy.Decision;
import dev.stepgate.policy.PolicyRequest;
import dev.stepgate.session.HeldRequests;
import dev.stepgate.session.SessionCookie;
import dev.stepgate.session.SessionStore;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;

/**
 * {@code GET /.stepgate/resume/ID}: after a successful step-up, sends the held POST upstream once
 * and answers the browser with the upstream's response. The held request is taken atomically, so
 * it is sent at most once, and only for the session that held it, and only when the policy now
 * allows it.
 */
public final class HeldReplay {
  private final HeldRequests held;
  private final SessionStore sessions;
  private final SessionCookie cookie;
  private final PolicyAdmission admission;
  private final DecisionResponder responder;
  private final IdentityStamp stamp;
  private final HeaderHygiene hygiene;
  private final UpstreamForwarder forwarder;

  public HeldReplay(HeldRequests held, SessionStore sessions, SessionCookie cookie, PolicyAdmission admission,
      DecisionResponder responder, IdentityStamp stamp, HeaderHygiene hygiene, UpstreamForwarder forwarder) {
    this.held = held;
    this.sessions = sessions;
    this.cookie = cookie;
    this.admission = admission;
    this.responder = responder;
    this.stamp = stamp;
    this.hygiene = hygiene;
    this.forwarder = forwarder;
  }

  public void handle(HttpServerRequest req, String id) {
    var session = cookie.read(req.getHeader("Cookie")).flatMap(sessions::find);
    var request = session.flatMap(s -> held.peek(id, s.id()));
    if (session.isEmpty() || request.isEmpty()) {
      gone(req);
      return;
    }
    var h = request.get();
    // Decided for the host it was held for, as the prompt was (StepUpResume), not for the host
    // the browser resumes through: both are hosts the gateway serves, but rules may name hosts.
    var target = new RequestTarget(CanonicalPath.of(pathOf(h.pathAndQuery())), queryOf(h.pathAndQuery()), h.host());
    var decision = admission.decide(new PolicyRequest(h.method(), target.host(), target.path().forPolicy()), session);
    if (decision instanceof Decision.StepUp) {
      // Not (or no longer) enough: back to the prompt, the request still held.
      req.response().setStatusCode(303).putHeader("Location", "/.stepgate/step-up?rd="
          + DecisionResponder.encode(h.pathAndQuery()) + "&held=" + id).end();
      return;
    }
    if (!(decision instanceof Decision.Allow allow)) {
      held.take(id, session.get().id());
      if (decision instanceof Decision.Deny deny) responder.deny(req, deny);
      else responder.login(req, target);
      return;
    }
    var taken = held.take(id, session.get().id());
    if (taken.isEmpty()) {
      gone(req);
      return;
    }
    var s = session.get();
    if (allow.consumesStepUp()) {
      var fresh = admission.consume(s);
      if (fresh.isEmpty()) {
        gone(req);
        return;
      }
      s = fresh.get();
    }
    var original = MultiMap.caseInsensitiveMultiMap();
    for (var e : taken.get().headers()) original.add(e.getKey(), e.getValue());
    var headers = ForwardingHeaders.of(original, req, hygiene);
    stamp.headersFor(s, allow).forEach(headers::set);
    forwarder.replay(req, HttpMethod.valueOf(h.method()), h.pathAndQuery(), headers, Buffer.buffer(taken.get().body()));
  }

  private static void gone(HttpServerRequest req) {
    Responder.send(req, Problems.HELD_REQUEST_GONE);
  }

  private static String pathOf(String pathAndQuery) {
    int q = pathAndQuery.indexOf('?');
    return q < 0 ? pathAndQuery : pathAndQuery.substring(0, q);
  }

  private static String queryOf(String pathAndQuery) {
    int q = pathAndQuery.indexOf('?');
    return q < 0 ? null : pathAndQuery.substring(q + 1);
  }
}
