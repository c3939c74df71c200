package dev.stepgate.proxy;

import dev.stepgate.admission.Problems;
import dev.stepgate.admission.Problem;
import dev.stepgate.admission.Verdict;
import dev.stepgate.policy.Decision;
import dev.stepgate.session.Session;
import dev.stepgate.stepup.HeldRequest;
import dev.stepgate.stepup.HeldRequestStore;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Map;
import java.util.logging.Logger;

/**
 * The one place a {@link Verdict} that is not a forward becomes an HTTP response (SPEC section
 * 5), for Vert.x's path ({@link #respond}) and for forward-auth ({@link #forwardAuth}); problems
 * are rendered by {@link Responder}, the relay's own bytes included. Browsers are redirected to
 * the sign-in or step-up page, API clients get 401 with {@code WWW-Authenticate} (RFC 6750 §3,
 * RFC 9470 §3) and problem JSON, a browser's form POST that needs a step-up is held for this
 * session and replayed once after it.
 */
public final class VerdictResponder {
  /** Set on a forward-auth refusal the client should follow as a redirect (a browser navigation). */
  public static final String REDIRECT_HEADER = "X-Stepgate-Redirect";
  private static final Logger LOG = Logger.getLogger(VerdictResponder.class.getName());
  // Per instance (one per gateway): an outage logs one line per window on each gateway.
  private final dev.stepgate.observe.LogThrottle failures =
      new dev.stepgate.observe.LogThrottle(LOG, dev.stepgate.observe.LogThrottle.FAILURE_WINDOW);

  private final String publicOrigin;
  private final HeldRequestStore held;
  private final HeaderHygiene hygiene;
  private final int heldMax;
  private final Clock clock;
  private final dev.stepgate.audit.AuditTrail audit;

  public VerdictResponder(String publicOrigin, HeldRequestStore held, HeaderHygiene hygiene, int heldMax, Clock clock) {
    this(publicOrigin, held, hygiene, heldMax, clock, dev.stepgate.audit.AuditTrail.NONE);
  }

  /** As the five-argument constructor; each step-up prompt and rate-limit refusal answered is an {@code audit} event. */
  public VerdictResponder(String publicOrigin, HeldRequestStore held, HeaderHygiene hygiene, int heldMax, Clock clock,
      dev.stepgate.audit.AuditTrail audit) {
    this.audit = audit;
    this.publicOrigin = publicOrigin;
    this.held = held;
    this.hygiene = hygiene;
    this.heldMax = heldMax;
    this.clock = clock;
  }

  /** Answers {@code req} (for {@code target}) with a challenge or a refusal. */
  public void respond(HttpServerRequest req, RequestTarget target, Verdict verdict) {
    audit(req, verdict);
    if (verdict instanceof Verdict.Refuse r) Responder.send(req, r.problem());
    else if (verdict instanceof Verdict.Challenge c && c.stepUp().isPresent()) stepUp(req, target, c.stepUp().get(), c.session().orElseThrow());
    else if (verdict instanceof Verdict.Challenge c) login(req, target, c.challenge().rule());
    else throw new IllegalArgumentException("a forward is not answered here");
  }

  /**
   * Forward-auth's answer ({@link ForwardAuth}): allow → 200 with the identity headers to copy
   * upstream; a challenge → for a browser behind Traefik or Caddy (which pass a non-2xx answer on)
   * a 302 to the page, else 401 with {@code WWW-Authenticate}, the page in {@code Location}, and for
   * a browser {@link #REDIRECT_HEADER} (nginx understands only 2xx/401/403: its config turns that
   * into the redirect); a refusal → its problem.
   */
  void forwardAuth(HttpServerRequest req, String pathAndQuery, boolean nginx, Verdict verdict) {
    audit(req, verdict);
    if (verdict instanceof Verdict.Forward f) {
      var resp = req.response().setStatusCode(200).putHeader("Cache-Control", "no-store");
      f.identity().forEach(resp::putHeader);
      resp.end();
    } else if (verdict instanceof Verdict.Refuse r) {
      Responder.send(req, r.problem());
    } else if (verdict instanceof Verdict.Challenge c && c.stepUp().isPresent()) {
      var s = c.stepUp().get();
      challenge(req, pathAndQuery, nginx, "/.stepgate/step-up", Responder.stepUpChallenge(s.maxAgeSeconds()),
          Problems.stepUpRequired(s.description()).with(Map.of("maxAge", s.maxAgeSeconds(), "rule", s.rule())), "stepUpUrl");
    } else {
      challenge(req, pathAndQuery, nginx, "/.stepgate/login", Responder.LOGIN_CHALLENGE,
          Problems.LOGIN_REQUIRED.with("rule", verdict.decision().orElseThrow().rule()), "loginUrl");
    }
  }

  private void challenge(HttpServerRequest req, String pathAndQuery, boolean nginx, String page, String wwwAuthenticate,
      Problem problem, String urlField) {
    var url = publicOrigin + page + "?rd=" + encode(pathAndQuery);
    var resp = req.response().putHeader("Cache-Control", "no-store").putHeader(HttpHeaders.LOCATION, url);
    boolean browser = Responder.wantsHtml(req);
    if (browser && !nginx) {
      resp.setStatusCode(302).end();
      return;
    }
    if (browser) resp.putHeader(REDIRECT_HEADER, url);
    resp.putHeader("WWW-Authenticate", wwwAuthenticate);
    Responder.send(req, problem.with(urlField, url));
  }

  /** A sign-in challenge; its problem names the rule that asks, as a step-up's and a deny's do. */
  private void login(HttpServerRequest req, RequestTarget target, String rule) {
    if (Responder.wantsHtml(req)) {
      redirect(req, "/.stepgate/login?rd=" + encode(target.pathAndQuery()));
      return;
    }
    req.response().putHeader("WWW-Authenticate", Responder.LOGIN_CHALLENGE);
    Responder.send(req, Problems.LOGIN_REQUIRED
        .with("loginUrl", publicOrigin + "/.stepgate/login?rd=" + encode(target.pathAndQuery())).with("rule", rule));
  }

  /** SPEC section 9: a step-up asked for ({@code step_up_prompted}, with its rule), a rate limit's 429 ({@code rate_limited}). */
  private void audit(HttpServerRequest req, Verdict verdict) {
    if (verdict instanceof Verdict.Challenge c && c.stepUp().isPresent()) {
      var session = c.session().orElseThrow();
      audit.emit(AuditContext.of("step_up_prompted", req, hygiene).user(session.userId()).session(session.id())
          .with("rule", c.stepUp().get().rule()));
    } else if (verdict instanceof Verdict.Refuse r && r.problem().status() == 429) {
      // Only forward-auth is limited in the pipeline (admission.RateLimitStep); the passkey API audits its own.
      audit.emit(AuditContext.of("rate_limited", req, hygiene).with("endpoint", dev.stepgate.ratelimit.Limiter.Endpoint.FORWARD_AUTH.label()));
    }
  }

  private void stepUp(HttpServerRequest req, RequestTarget target, Decision.StepUp decision, Session session) {
    var stepUpUrl = "/.stepgate/step-up?rd=" + encode(target.pathAndQuery());
    boolean browser = Responder.wantsHtml(req);
    if (browser && (req.method() == HttpMethod.GET || req.method() == HttpMethod.HEAD)) {
      redirect(req, stepUpUrl);
      return;
    }
    if (browser && req.method() == HttpMethod.POST) {
      hold(req, target, session, stepUpUrl);
      return;
    }
    // RFC 9470 §3: the resource tells the client which authentication it needs.
    req.response().putHeader("WWW-Authenticate", Responder.stepUpChallenge(decision.maxAgeSeconds()));
    Responder.send(req, Problems.stepUpRequired(decision.description())
        .with(Map.of("stepUpUrl", publicOrigin + stepUpUrl, "maxAge", decision.maxAgeSeconds(), "rule", decision.rule())));
  }

  /**
   * Reads the POST (bounded), keeps it for this session, and sends the browser to step up. Room is
   * reserved in the {@link HeldRequestStore} before anything is buffered and grown before each
   * chunk, so neither the per-session nor the process-wide bound can be passed while the body
   * arrives; past either, the browser is told to confirm first and submit again, and what is
   * already held stays. The request stays paused until the room is reserved.
   */
  private void hold(HttpServerRequest req, RequestTarget target, Session session, String stepUpUrl) {
    var length = req.getHeader(HttpHeaders.CONTENT_LENGTH);
    long declared = length == null ? 0 : parse(length);
    if (declared > heldMax) {
      tooLargeToHold(req, stepUpUrl);
      return;
    }
    var headers = new ArrayList<Map.Entry<String, String>>();
    for (var e : req.headers()) headers.add(new AbstractMap.SimpleImmutableEntry<>(e.getKey(), e.getValue()));
    var method = req.method().name();
    // A declared length is reserved at once: a request that cannot fit is refused unread.
    ContextFutures.here(held.reserve(session.id(),
        HeldRequest.sizeWithoutBody(method, target.host(), target.pathAndQuery(), headers) + declared))
        .onComplete(reserved -> {
          if (reserved.failed()) {
            discardBody(req, 0);
            unavailable(req, reserved.cause());
          } else if (reserved.result().isEmpty()) {
            discardBody(req, 0);
            heldRequestLimit(req, stepUpUrl);
          } else {
            read(req, new HeldRequest(session.id(), method, target.host(), target.pathAndQuery(), headers, new byte[0],
                clock.instant()), declared, reserved.result().get(), stepUpUrl);
          }
        });
  }

  /** Reads the body of {@code head} (the request without its body yet) into the reserved room, then holds it. */
  private void read(HttpServerRequest req, HeldRequest head, long declared, HeldRequestStore.Reservation reservation,
      String stepUpUrl) {
    // Whatever ends the exchange before the request is held gives the room back (idempotent).
    req.response().closeHandler(v -> reservation.release());
    req.exceptionHandler(e -> {
      reservation.release();
      req.response().reset();
    });
    var body = new Buffer[] {Buffer.buffer((int) declared)};
    long[] bodyReserved = {declared};
    req.handler(chunk -> {
      long size = (long) body[0].length() + chunk.length();
      if (size > heldMax) {
        reservation.release();
        body[0] = null;
        req.handler(ignored -> {});
        tooLargeToHold(req, stepUpUrl);
        return;
      }
      if (size > bodyReserved[0]) { // more than Content-Length said (or none was sent): reserve first
        if (!reservation.grow(size - bodyReserved[0])) {
          reservation.release();
          discardBody(req, size);
          body[0] = null;
          heldRequestLimit(req, stepUpUrl);
          return;
        }
        bodyReserved[0] = size;
      }
      body[0].appendBuffer(chunk);
    });
    req.endHandler(v -> {
      if (body[0] == null) return;
      var request = new HeldRequest(head.sessionId(), head.method(), head.host(), head.pathAndQuery(), head.headers(),
          body[0].getBytes(), head.heldAt());
      body[0] = null;
      ContextFutures.here(reservation.hold(request)).onComplete(id -> {
        if (id.succeeded()) {
          redirect(req, stepUpUrl + "&held=" + id.result());
          return;
        }
        reservation.release(); // nothing was held
        unavailable(req, id.cause());
      });
    });
    req.resume();
  }

  /**
   * The held-request store could not keep the form: 503, logged once with the exception's class
   * and the request id the answer carries.
   */
  private void unavailable(HttpServerRequest req, Throwable err) {
    var requestId = RequestIds.of(req, hygiene);
    failures.answered503("holding a request", err, requestId);
    Responder.send(req, Problems.UNAVAILABLE.with(Problems.REQUEST_ID, requestId));
  }

  /**
   * Reads and drops the rest of a refused body, so that the connection stays usable and the
   * browser reads the refusal instead of a reset; a body that goes on past {@code heldMax} (only a
   * chunked one can) ends the connection.
   */
  private void discardBody(HttpServerRequest req, long alreadyRead) {
    long[] read = {alreadyRead};
    req.handler(chunk -> {
      read[0] += chunk.length();
      if (read[0] > heldMax) req.response().reset();
    });
    req.exceptionHandler(e -> {});
    req.endHandler(v -> {});
    req.resume();
  }

  /**
   * The session holds as many forms as it may, or the gateway as many bytes: nothing is kept, and
   * the browser is told so, with the way forward (step up first, then submit again).
   */
  private void heldRequestLimit(HttpServerRequest req, String stepUpUrl) {
    Responder.send(req, Problems.HELD_REQUEST_LIMIT.with("stepUpUrl", publicOrigin + stepUpUrl),
        new Responder.Link(stepUpUrl, "Confirm with your passkey"));
  }

  private static void tooLargeToHold(HttpServerRequest req, String stepUpUrl) {
    req.response().putHeader("Connection", "close");
    Responder.send(req, Problems.tooLargeToHold(stepUpUrl));
  }

  private static void redirect(HttpServerRequest req, String location) {
    req.response().setStatusCode(303).putHeader(HttpHeaders.LOCATION, location).putHeader("Cache-Control", "no-store").end();
  }

  static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private static long parse(String v) {
    try {
      return Long.parseLong(v.trim());
    } catch (NumberFormatException e) {
      return Long.MAX_VALUE;
    }
  }
}
