package dev.stepgate.proxy;

import dev.stepgate.observe.AccessLog;
import dev.stepgate.policy.Decision;
import dev.stepgate.admission.Problems;
import dev.stepgate.admission.RequestRejected;
import dev.stepgate.admission.Admission;
import dev.stepgate.admission.EntryPoint;
import dev.stepgate.admission.Verdict;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.Set;
import java.util.logging.Logger;

/**
 * Every request the gateway receives starts here, and this method shows, top to bottom, the
 * order of the checks a proxied request passes: framing → canonical target → gateway namespace →
 * the {@link dev.stepgate.admission.AdmissionPipeline} (origin → caller → policy → one-time step-up →
 * identity) → the verdict: forwarded with its identity headers, or answered by the {@link
 * VerdictResponder}.
 */
public final class GatewayHandler implements Handler<HttpServerRequest> {
  public static final String NAMESPACE = "/.stepgate";
  private static final Logger LOG = Logger.getLogger(GatewayHandler.class.getName());
  // Per instance (one per gateway): an outage logs one line per window on each gateway.
  private final dev.stepgate.observe.LogThrottle failures =
      new dev.stepgate.observe.LogThrottle(LOG, dev.stepgate.observe.LogThrottle.FAILURE_WINDOW);

  private final Set<String> knownHosts;
  private final HeaderHygiene hygiene;
  private final Admission admission;
  private final VerdictResponder responder;
  private final Handler<HttpServerRequest> gatewayRoutes;
  private final UpstreamForwarder forwarder;
  private final WebSocketForwarder webSockets;

  public GatewayHandler(Set<String> knownHosts, HeaderHygiene hygiene, Admission admission, VerdictResponder responder,
      Handler<HttpServerRequest> gatewayRoutes, UpstreamForwarder forwarder, WebSocketForwarder webSockets) {
    this.responder = responder;
    this.knownHosts = Set.copyOf(knownHosts);
    this.hygiene = hygiene;
    this.admission = admission;
    this.gatewayRoutes = gatewayRoutes;
    this.forwarder = forwarder;
    this.webSockets = webSockets;
  }

  @Override
  public void handle(HttpServerRequest req) {
    req.pause(); // nothing of the body moves until the request is admitted
    final RequestTarget target;
    try {
      Framing.check(req);
      target = RequestTarget.of(req, knownHosts);
    } catch (RequestRejected e) {
      reject(req, e);
      return;
    }
    var logged = AccessLog.enabled() ? new Logged(req, target, System.nanoTime()) : null;
    if (isGatewayPath(target)) {
      if (!req.path().equals(target.path().value())) {
        reject(req, new RequestRejected("ambiguous-path", 400, "Gateway paths must be requested in canonical form."));
        return;
      }
      req.resume();
      gatewayRoutes.handle(req);
      return;
    }
    CompletionStage<Verdict> decided;
    try {
      decided = admission.admit(AdmissionRequests.of(req, req.method().name(), target, EntryPoint.PROXY, hygiene));
    } catch (RuntimeException e) {
      decided = CompletableFuture.failedFuture(e); // never forward what could not be checked
    }
    var context = Vertx.currentContext();
    (context == null ? Future.fromCompletionStage(decided) : Future.fromCompletionStage(decided, context))
        .onFailure(err -> unavailable(req, err))
        .onSuccess(verdict -> {
          if (logged != null) verdict.decision().ifPresent(logged::decided);
          if (!(verdict instanceof Verdict.Forward forward)) {
            responder.respond(req, target, verdict);
            return;
          }
          var headers = ForwardingHeaders.of(req, hygiene);
          forward.identity().forEach(headers::set);
          if (WebSocketForwarder.isUpgrade(req)) webSockets.forward(req, target.pathAndQuery(), headers);
          else forwarder.forward(req, target.pathAndQuery(), headers);
        });
  }

  /**
   * The decision could not be made: 503, never forwarded. Logged once with the exception's class
   * (its message may carry request data, so never that) and the request id, which the answer
   * carries as {@code requestId} for the user to quote.
   */
  private void unavailable(HttpServerRequest req, Throwable err) {
    var requestId = RequestIds.of(req, hygiene);
    failures.answered503("admission", err, requestId);
    Responder.send(req, Problems.unavailableFor(err).with(Problems.REQUEST_ID, requestId));
  }

  /** The request line of one request, written when its response ends (only while {@link AccessLog#enabled()}). */
  private final class Logged {
    private volatile Decision decision;

    Logged(HttpServerRequest req, RequestTarget target, long started) {
      // The canonical path only: the query may carry secrets (tokens, codes).
      req.response().bodyEndHandler(v -> {
        var d = decision;
        AccessLog.request(req.method().name(), target.path().value(), req.response().getStatusCode(),
            d == null ? null : d.rule(), d == null ? null : AccessLog.decision(d), System.nanoTime() - started,
            RequestIds.of(req, hygiene));
      });
    }

    void decided(Decision d) {
      decision = d;
    }
  }

  static boolean isGatewayPath(RequestTarget target) {
    var p = target.path().value();
    return p.equals(NAMESPACE) || p.startsWith(NAMESPACE + "/");
  }

  private static void reject(HttpServerRequest req, RequestRejected e) {
    req.response().putHeader("Connection", "close");
    Responder.send(req, Problems.of(e));
  }
}
