package dev.stepgate.proxy;

import dev.stepgate.admission.Problems;
import dev.stepgate.policy.Decision;
import dev.stepgate.session.HeldRequest;
import dev.stepgate.session.HeldRequests;
import dev.stepgate.session.Session;
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

/**
 * The one place a refusing decision becomes an HTTP response (SPEC section 5): browsers are
 * redirected to the sign-in or step-up page, API clients get 401 with {@code WWW-Authenticate}
 * (RFC 6750 §3, RFC 9470 §3) and problem JSON, a browser's form POST that needs a step-up is held
 * for this session and replayed once after it.
 */
public final class DecisionResponder {
  private final String publicOrigin;
  private final HeldRequests held;
  private final int heldMax;
  private final Clock clock;

  public DecisionResponder(String publicOrigin, HeldRequests held, int heldMax, Clock clock) {
    this.publicOrigin = publicOrigin;
    this.held = held;
    this.heldMax = heldMax;
    this.clock = clock;
  }

  public void login(HttpServerRequest req, RequestTarget target) {
    if (Responder.wantsHtml(req)) {
      redirect(req, "/.stepgate/login?rd=" + encode(target.pathAndQuery()));
      return;
    }
    req.response().putHeader("WWW-Authenticate", Responder.LOGIN_CHALLENGE);
    Responder.send(req, Problems.LOGIN_REQUIRED.with("loginUrl", publicOrigin + "/.stepgate/login?rd=" + encode(target.pathAndQuery())));
  }

  public void stepUp(HttpServerRequest req, RequestTarget target, Decision.StepUp decision, Session session) {
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

  public void deny(HttpServerRequest req, Decision.Deny decision) {
    Responder.send(req, Problems.FORBIDDEN.with("rule", decision.rule()));
  }

  /** A WebSocket upgrade from a page of another site to a route that is not public. */
  public void crossSiteUpgrade(HttpServerRequest req) {
    Responder.send(req, Problems.CROSS_ORIGIN_WEBSOCKET);
  }

  /**
   * Reads the POST (bounded), keeps it for this session, and sends the browser to step up. Room is
   * reserved in {@link HeldRequests} before anything is buffered and grown before each chunk, so
   * neither the per-session nor the process-wide bound can be passed while the body arrives; past
   * either, the browser is told to confirm first and submit again, and what is already held stays.
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
    var reserved = held.reserve(session.id(),
        HeldRequest.sizeWithoutBody(method, target.host(), target.pathAndQuery(), headers) + declared);
    if (reserved.isEmpty()) {
      discardBody(req, 0);
      heldRequestLimit(req, stepUpUrl);
      return;
    }
    var reservation = reserved.get();
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
      var id = reservation.hold(new HeldRequest(session.id(), method, target.host(), target.pathAndQuery(), headers,
          body[0].getBytes(), clock.instant()));
      redirect(req, stepUpUrl + "&held=" + id);
    });
    req.resume();
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
