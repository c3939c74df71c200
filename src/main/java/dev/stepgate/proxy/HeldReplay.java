package dev.stepgate.proxy;

import dev.stepgate.admission.Admission;
import dev.stepgate.admission.AdmissionRequest;
import dev.stepgate.admission.EntryPoint;
import dev.stepgate.admission.Problems;
import dev.stepgate.admission.Verdict;
import dev.stepgate.session.SessionCookie;
import dev.stepgate.session.SessionStore;
import dev.stepgate.stepup.HeldRequest;
import dev.stepgate.stepup.HeldRequestStore;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.logging.Logger;

/**
 * {@code GET /.stepgate/resume/ID}: after a successful step-up, sends the held POST upstream once
 * and answers the browser with the upstream's response. The held request is admitted by the same
 * pipeline as every other request (for the host it was held for), which spends a one-time step-up
 * first; only a forward takes the held request out, atomically, so it is sent at most once, only
 * for the session that held it, and a replay that lost the race for the step-up keeps the form.
 */
public final class HeldReplay {
  private static final Logger LOG = Logger.getLogger(HeldReplay.class.getName());

  private final HeldRequestStore held;
  private final SessionStore sessions;
  private final SessionCookie cookie;
  private final Admission admission;
  private final VerdictResponder responder;
  private final HeaderHygiene hygiene;
  private final UpstreamForwarder forwarder;

  public HeldReplay(HeldRequestStore held, SessionStore sessions, SessionCookie cookie, Admission admission,
      VerdictResponder responder, HeaderHygiene hygiene, UpstreamForwarder forwarder) {
    this.held = held;
    this.sessions = sessions;
    this.cookie = cookie;
    this.admission = admission;
    this.responder = responder;
    this.hygiene = hygiene;
    this.forwarder = forwarder;
  }

  public void handle(HttpServerRequest req, String id) {
    var cookieHeader = req.getHeader("Cookie");
    var sessionId = cookie.read(cookieHeader);
    if (sessionId.isEmpty()) {
      gone(req);
      return;
    }
    var peer = req.remoteAddress() == null ? null : req.remoteAddress().hostAddress();
    CompletionStage<Runnable> answer = sessions.find(sessionId.get()).thenCompose(session -> session.isEmpty()
        ? CompletableFuture.completedFuture(Optional.<HeldRequest>empty())
        : held.peek(id, session.get().id())).thenCompose(request -> {
          if (request.isEmpty()) return CompletableFuture.completedFuture(() -> gone(req));
          var h = request.get();
          // Decided for the host it was held for, as the prompt was (StepUpResume), not for the host
          // the browser resumes through: both are hosts the gateway serves, but rules may name hosts.
          var target = new RequestTarget(CanonicalPath.of(pathOf(h.pathAndQuery())), queryOf(h.pathAndQuery()), h.host());
          var admissionRequest = new AdmissionRequest(h.method(), h.host(), target.path().forPolicy(), h.pathAndQuery(),
              cookieHeader, peer, List.of(), true, false, null, EntryPoint.HELD_REPLAY);
          return admission.admit(admissionRequest).thenCompose(verdict -> answer(req, id, h, target, verdict));
        });
    ContextFutures.here(answer).onComplete(done -> {
      if (done.succeeded()) {
        done.result().run();
        return;
      }
      var requestId = RequestIds.of(req, hygiene);
      LOG.warning("held replay failed (" + done.cause().getClass().getName() + "), request " + requestId + ": answered 503");
      Responder.send(req, Problems.UNAVAILABLE.with(Problems.REQUEST_ID, requestId));
    });
  }

  /** What to answer for {@code verdict}, once the held request is taken out if it goes. */
  private CompletionStage<Runnable> answer(HttpServerRequest req, String id, HeldRequest h, RequestTarget target,
      Verdict verdict) {
    if (verdict instanceof Verdict.Challenge c && c.stepUp().isPresent()) {
      // Not (or no longer) enough, or another tab spent the one-time step-up first: back to the
      // prompt, the request still held.
      return CompletableFuture.completedFuture(() -> req.response().setStatusCode(303).putHeader("Location",
          "/.stepgate/step-up?rd=" + VerdictResponder.encode(h.pathAndQuery()) + "&held=" + id).end());
    }
    if (!(verdict instanceof Verdict.Forward forward)) {
      // Refused for good: the form goes.
      return held.take(id, h.sessionId()).thenApply(taken -> () -> responder.respond(req, target, verdict));
    }
    return held.take(id, h.sessionId()).thenApply(taken -> () -> {
      if (taken.isEmpty()) {
        gone(req);
        return;
      }
      var original = MultiMap.caseInsensitiveMultiMap();
      for (var e : taken.get().headers()) original.add(e.getKey(), e.getValue());
      var headers = ForwardingHeaders.of(original, req, hygiene);
      forward.identity().forEach(headers::set);
      forwarder.replay(req, HttpMethod.valueOf(h.method()), h.pathAndQuery(), headers, Buffer.buffer(taken.get().body()));
    });
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
