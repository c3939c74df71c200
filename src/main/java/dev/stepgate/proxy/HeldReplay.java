package dev.stepgate.proxy;

import dev.stepgate.admission.CanonicalPath;
import dev.stepgate.admission.Problems;
import dev.stepgate.stepup.HeldRequest;
import dev.stepgate.stepup.HeldResume;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import java.util.logging.Logger;

/**
 * {@code GET /.stepgate/resume/ID}: the wire side of resuming a held POST after its step-up. What
 * happens to it — admitted by the pipeline first, taken out only to be sent — is {@link
 * HeldResume}'s; this sends it upstream once and answers the browser with the upstream's
 * response, or renders the outcome.
 */
public final class HeldReplay {
  private static final Logger LOG = Logger.getLogger(HeldReplay.class.getName());
  // Per instance (one per gateway): an outage logs one line per window on each gateway.
  private final dev.stepgate.observe.LogThrottle failures =
      new dev.stepgate.observe.LogThrottle(LOG, dev.stepgate.observe.LogThrottle.FAILURE_WINDOW);

  private final HeldResume resume;
  private final VerdictResponder responder;
  private final HeaderHygiene hygiene;
  private final UpstreamForwarder forwarder;

  private final dev.stepgate.audit.AuditTrail audit;

  public HeldReplay(HeldResume resume, VerdictResponder responder, HeaderHygiene hygiene, UpstreamForwarder forwarder) {
    this(resume, responder, hygiene, forwarder, dev.stepgate.audit.AuditTrail.NONE);
  }

  /** As the other constructor; each held request sent on is a {@code held_replayed} event of {@code audit}. */
  public HeldReplay(HeldResume resume, VerdictResponder responder, HeaderHygiene hygiene, UpstreamForwarder forwarder,
      dev.stepgate.audit.AuditTrail audit) {
    this.audit = audit;
    this.resume = resume;
    this.responder = responder;
    this.hygiene = hygiene;
    this.forwarder = forwarder;
  }

  public void handle(HttpServerRequest req, String id) {
    var peer = req.remoteAddress() == null ? null : req.remoteAddress().hostAddress();
    ContextFutures.here(resume.resume(id, req.getHeader("Cookie"), peer)).onComplete(done -> {
      if (done.failed()) {
        var requestId = RequestIds.of(req, hygiene);
        failures.answered503("held replay", done.cause(), requestId);
        Responder.send(req, Problems.UNAVAILABLE.with(Problems.REQUEST_ID, requestId));
        return;
      }
      var outcome = done.result();
      if (outcome instanceof HeldResume.Send send) send(req, send);
      else if (outcome instanceof HeldResume.BackToPrompt back)
        req.response().setStatusCode(303).putHeader("Location", back.location()).putHeader("Cache-Control", "no-store").end();
      else if (outcome instanceof HeldResume.Dropped dropped) responder.respond(req, targetOf(dropped.request()), dropped.verdict());
      else Responder.send(req, Problems.HELD_REQUEST_GONE);
    });
  }

  private void send(HttpServerRequest req, HeldResume.Send send) {
    var h = send.request();
    var original = MultiMap.caseInsensitiveMultiMap();
    for (var e : h.headers()) original.add(e.getKey(), e.getValue());
    var headers = ForwardingHeaders.of(original, req, hygiene);
    send.forward().identity().forEach(headers::set);
    // The path without its query: a query may carry what the trail must not (tokens, codes).
    var path = h.pathAndQuery().split("\\?", 2)[0];
    var entry = AuditContext.of("held_replayed", req, hygiene).with("rule", send.forward().allow().rule())
        .with("method", h.method()).with("path", path);
    audit.emit(send.forward().session().map(s -> entry.user(s.userId()).session(s.id())).orElse(entry));
    forwarder.replay(req, HttpMethod.valueOf(h.method()), h.pathAndQuery(), headers, Buffer.buffer(h.body()));
  }

  /** The target the held request was sent to, on the host it was held for. */
  private static RequestTarget targetOf(HeldRequest h) {
    var pq = h.pathAndQuery();
    int q = pq.indexOf('?');
    return new RequestTarget(CanonicalPath.of(q < 0 ? pq : pq.substring(0, q)), q < 0 ? null : pq.substring(q + 1), h.host());
  }
}
