package dev.stepgate.proxy;

import dev.stepgate.admission.Problem;
import dev.stepgate.admission.Problems;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * The one place a {@link Problem} becomes bytes, three ways: a Vert.x response ({@link #send}),
 * the relay's own response ({@link #relayResponse}), and — through {@link VerdictResponder} — a
 * forward-auth answer. Browsers get an HTML page, everyone else RFC 9457 problem JSON. Nothing
 * here ever includes an exception's class or stack.
 */
public final class Responder {
  /** The problem field naming the request (for the user to quote); HTML pages show it too. */
  public static final String REQUEST_ID = Problems.REQUEST_ID;
  /** RFC 6750 §3: the challenge of a request that needs a sign-in. */
  public static final String LOGIN_CHALLENGE = "Bearer error=\"invalid_token\", error_description=\"login required\"";

  private Responder() {}

  /**
   * True when the caller is a browser navigation: its Accept names text/html (before or instead of
   * JSON) and it is not an XHR/fetch that says so with {@code X-Requested-With}.
   */
  public static boolean wantsHtml(HttpServerRequest req) {
    return wantsHtml(req.headers());
  }

  /** As {@link #wantsHtml(HttpServerRequest)} for a request's headers. */
  public static boolean wantsHtml(MultiMap headers) {
    return wantsHtml(headers.contains("X-Requested-With"), headers.get(HttpHeaders.ACCEPT));
  }

  /** As {@link #wantsHtml(HttpServerRequest)} for the two headers it reads ({@code accept} may be null). */
  public static boolean wantsHtml(boolean xRequestedWith, String accept) {
    if (xRequestedWith || accept == null) return false;
    var a = accept.toLowerCase(Locale.ROOT);
    int html = a.indexOf("text/html");
    if (html < 0) return false;
    int json = a.indexOf("application/json");
    return json < 0 || html < json;
  }

  /** Where an HTML problem page sends the reader next: {@code href} (a gateway-made URL) and its text. */
  public record Link(String href, String text) {}

  static final Link START_PAGE = new Link("/", "Back to the start page");

  /** Sends {@code problem}: HTML page or problem JSON depending on the caller. */
  /** What a 503 asks the client to wait before retrying. */
  static final String RETRY_AFTER_SECONDS = "5";

  public static void send(HttpServerRequest req, Problem problem) {
    send(req, problem, START_PAGE);
  }

  /** As {@link #send(HttpServerRequest, Problem)}; the HTML page links to {@code next}. */
  public static void send(HttpServerRequest req, Problem problem, Link next) {
    send(req, req.headers(), problem, next);
  }

  /** Sends {@code problem} as problem JSON whatever the request asks for (callers that are never browsers). */
  public static void sendJson(HttpServerRequest req, Problem problem) {
    send(req, MultiMap.caseInsensitiveMultiMap(), problem, START_PAGE);
  }

  private static void send(HttpServerRequest req, MultiMap headers, Problem problem, Link next) {
    var resp = req.response();
    if (resp.ended() || resp.headWritten()) {
      resp.reset();
      return;
    }
    var reply = render(headers, problem, next);
    // RFC 9110 §10.2.3 / RFC 6585 §4: a rate limit says when to come back.
    if (problem.fields().get(Problems.RETRY_AFTER) instanceof Number wait) resp.putHeader("Retry-After", wait.toString());
    // Every 503 is an outage or a full bound on our side, over within seconds: say when to retry.
    if (problem.status() == 503) resp.putHeader("Retry-After", RETRY_AFTER_SECONDS);
    resp.setStatusCode(problem.status()).putHeader("Cache-Control", "no-store")
        .putHeader(HttpHeaders.CONTENT_TYPE, reply.contentType()).end(reply.body());
  }

  /** A problem reply's body and its content type. */
  public record Rendered(String contentType, String body) {}

  /** The body {@link #send} sends to a request with these {@code headers}. */
  public static Rendered render(MultiMap headers, Problem problem) {
    return render(headers, problem, START_PAGE);
  }

  static Rendered render(MultiMap headers, Problem problem, Link next) {
    if (wantsHtml(headers)) {
      var body = "<h1>" + Html.esc(problem.title()) + "</h1><p>" + Html.esc(problem.detail()) + "</p>"
          + (problem.fields().get(REQUEST_ID) instanceof String id ? "<p>Request id: <code>" + Html.esc(id) + "</code></p>" : "")
          + "<p><a href=\"" + Html.esc(next.href()) + "\">" + Html.esc(next.text()) + "</a></p>";
      return new Rendered("text/html; charset=utf-8", Html.page(problem.title(), body, null));
    }
    return new Rendered("application/problem+json", json(problem).encode());
  }

  /**
   * The relay's own answer (its 502 and 504) for a client that sent {@code clientHeaders}; a
   * {@code head} request gets the headers without the body. The caller decides keep-alive.
   */
  static FullHttpResponse relayResponse(MultiMap clientHeaders, Problem problem, boolean head) {
    var rendered = render(clientHeaders, problem);
    var body = rendered.body().getBytes(StandardCharsets.UTF_8);
    var resp = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(problem.status()),
        head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body));
    resp.headers().set(HttpHeaderNames.CONTENT_TYPE, rendered.contentType())
        .set(HttpHeaderNames.CACHE_CONTROL, "no-store")
        .set(HttpHeaderNames.CONTENT_LENGTH, body.length);
    return resp;
  }

  /**
   * The {@code WWW-Authenticate} value of a step-up challenge (RFC 9470 §3): a fresh user-verified
   * passkey assertion no older than {@code maxAgeSeconds} is needed.
   */
  public static String stepUpChallenge(long maxAgeSeconds) {
    return "Bearer error=\"insufficient_user_authentication\", "
        + "error_description=\"a fresh passkey assertion is required\", max_age=" + maxAgeSeconds;
  }

  /** The RFC 9457 body of {@code problem}. */
  public static JsonObject json(Problem problem) {
    var json = new JsonObject().put("type", problem.typeUri()).put("title", problem.title())
        .put("status", problem.status()).put("detail", problem.detail());
    problem.fields().forEach(json::put);
    return json;
  }
}
