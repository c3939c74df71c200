package dev.stepgate.proxy;

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
    if (Replies.wantsHtml(req)) {
      redirect(req, "/.stepgate/login?rd=" + encode(target.pathAndQuery()));
      return;
    }
    req.response().putHeader("WWW-Authenticate", "Bearer error=\"invalid_token\", error_description=\"login required\"");
    Replies.problem(req, 401, "login-required", "Sign-in required",
        "Sign in with a passkey first.", Map.of("loginUrl", publicOrigin + "/.stepgate/login?rd=" + encode(target.pathAndQuery())));
  }

  public void stepUp(HttpServerRequest req, RequestTarget target, Decision.StepUp decision, Session session) {
    var stepUpUrl = "/.stepgate/step-up?rd=" + encode(target.pathAndQuery());
    boolean browser = Replies.wantsHtml(req);
    if (browser && (req.method() == HttpMethod.GET || req.method() == HttpMethod.HEAD)) {
      redirect(req, stepUpUrl);
      return;
    }
    if (browser && req.method() == HttpMethod.POST) {
      hold(req, target, session, stepUpUrl);
      return;
    }
    // RFC 9470 §3: the resource tells the client which authentication it needs.
    req.response().putHeader("WWW-Authenticate", "Bearer error=\"insufficient_user_authentication\", "
        + "error_description=\"a fresh passkey assertion is required\", max_age=" + decision.maxAgeSeconds());
    Replies.problem(req, 401, "step-up-required", "Confirm it's you",
        decision.description().map(d -> "This action needs a fresh passkey check: " + d + ".")
            .orElse("This action needs a fresh passkey check."),
        Map.of("stepUpUrl", publicOrigin + stepUpUrl, "maxAge", decision.maxAgeSeconds(), "rule", decision.rule()));
  }

  public void deny(HttpServerRequest req, Decision.Deny decision) {
    Replies.problem(req, 403, "forbidden", "Not allowed", "This address is not available through this gateway.",
        Map.of("rule", decision.rule()));
  }

  /** Reads the POST (bounded), keeps it for this session, and sends the browser to step up. */
  private void hold(HttpServerRequest req, RequestTarget target, Session session, String stepUpUrl) {
    var length = req.getHeader(HttpHeaders.CONTENT_LENGTH);
    if (length != null && parse(length) > heldMax) {
      tooLargeToHold(req, stepUpUrl);
      return;
    }
    var body = Buffer.buffer();
    boolean[] over = {false};
    req.handler(chunk -> {
      if (over[0]) return;
      if (body.length() + chunk.length() > heldMax) {
        over[0] = true;
        tooLargeToHold(req, stepUpUrl);
        return;
      }
      body.appendBuffer(chunk);
    });
    req.exceptionHandler(e -> req.response().reset());
    req.endHandler(v -> {
      if (over[0]) return;
      var headers = new ArrayList<Map.Entry<String, String>>();
      for (var e : req.headers()) headers.add(new AbstractMap.SimpleImmutableEntry<>(e.getKey(), e.getValue()));
      var id = held.hold(new HeldRequest(session.id(), req.method().name(), target.pathAndQuery(), headers,
          body.getBytes(), clock.instant()));
      redirect(req, stepUpUrl + "&held=" + id);
    });
    req.resume();
  }

  private static void tooLargeToHold(HttpServerRequest req, String stepUpUrl) {
    req.response().putHeader("Connection", "close");
    Replies.problem(req, 413, "too-large-to-hold", "Confirm first, then send again",
        "This form is too large to keep while you confirm it's you. Confirm with your passkey at "
            + stepUpUrl + ", then submit the form again.");
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
