package dev.stepgate.proxy;

import dev.stepgate.ui.Html;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import java.util.Locale;
import java.util.Map;

/**
 * Error and refusal replies, as an HTML page for browsers and RFC 9457 problem JSON for API
 * clients. Nothing here ever includes an exception's class or stack.
 */
public final class Replies {
  public static final String PROBLEM_BASE = "urn:stepgate:problem:";
  /** The problem field naming the request (for the user to quote); HTML pages show it too. */
  public static final String REQUEST_ID = "requestId";

  private Replies() {}

  /**
   * True when the caller is a browser navigation: its Accept names text/html (before or instead of
   * JSON) and it is not an XHR/fetch that says so with {@code X-Requested-With}.
   */
  public static boolean wantsHtml(HttpServerRequest req) {
    return wantsHtml(req.headers());
  }

  /** As {@link #wantsHtml(HttpServerRequest)} for a request's headers. */
  static boolean wantsHtml(MultiMap headers) {
    if (headers.contains("X-Requested-With")) return false;
    var accept = headers.get(HttpHeaders.ACCEPT);
    if (accept == null) return false;
    var a = accept.toLowerCase(Locale.ROOT);
    int html = a.indexOf("text/html");
    if (html < 0) return false;
    int json = a.indexOf("application/json");
    return json < 0 || html < json;
  }

  /** Sends a problem: HTML page or problem JSON depending on the caller. */
  public static void problem(HttpServerRequest req, int status, String type, String title, String detail) {
    problem(req, status, type, title, detail, Map.of());
  }

  public static void problem(
      HttpServerRequest req, int status, String type, String title, String detail, Map<String, Object> extra) {
    problem(req, status, type, title, detail, extra, START_PAGE);
  }

  /** Where an HTML problem page sends the reader next: {@code href} (a gateway-made URL) and its text. */
  public record Link(String href, String text) {}

  static final Link START_PAGE = new Link("/", "Back to the start page");

  /** As {@link #problem(HttpServerRequest, int, String, String, String, Map)}; the HTML page links to {@code next}. */
  public static void problem(HttpServerRequest req, int status, String type, String title, String detail,
      Map<String, Object> extra, Link next) {
    problem(req, req.headers(), status, type, title, detail, extra, next);
  }

  /** Sends the problem as rendered for a request with {@code headers}. */
  private static void problem(HttpServerRequest req, MultiMap headers, int status, String type, String title,
      String detail, Map<String, Object> extra, Link next) {
    var resp = req.response();
    if (resp.ended() || resp.headWritten()) {
      resp.reset();
      return;
    }
    var reply = render(headers, status, type, title, detail, extra, next);
    resp.setStatusCode(status).putHeader("Cache-Control", "no-store")
        .putHeader(HttpHeaders.CONTENT_TYPE, reply.contentType()).end(reply.body());
  }

  /** Sends a problem as problem JSON whatever the request asks for (callers that are never browsers). */
  public static void problemAsJson(HttpServerRequest req, int status, String type, String title, String detail) {
    problem(req, MultiMap.caseInsensitiveMultiMap(), status, type, title, detail, Map.of(), START_PAGE);
  }

  /** A problem reply's body and its content type, as {@link #problem} sends it. */
  record Rendered(String contentType, String body) {}

  /** The body {@link #problem} sends to a request with these {@code headers}. */
  static Rendered render(MultiMap headers, int status, String type, String title, String detail, Map<String, Object> extra) {
    return render(headers, status, type, title, detail, extra, START_PAGE);
  }

  static Rendered render(MultiMap headers, int status, String type, String title, String detail, Map<String, Object> extra,
      Link next) {
    if (wantsHtml(headers)) {
      var body = "<h1>" + Html.esc(title) + "</h1><p>" + Html.esc(detail) + "</p>"
          + (extra.get(REQUEST_ID) instanceof String id ? "<p>Request id: <code>" + Html.esc(id) + "</code></p>" : "")
          + "<p><a href=\"" + Html.esc(next.href()) + "\">" + Html.esc(next.text()) + "</a></p>";
      return new Rendered("text/html; charset=utf-8", Html.page(title, body, null));
    }
    return new Rendered("application/problem+json", problemJson(status, type, title, detail, extra).encode());
  }

  /**
   * The {@code WWW-Authenticate} value of a step-up challenge (RFC 9470 §3): a fresh user-verified
   * passkey assertion no older than {@code maxAgeSeconds} is needed.
   */
  public static String stepUpChallenge(long maxAgeSeconds) {
    return "Bearer error=\"insufficient_user_authentication\", "
        + "error_description=\"a fresh passkey assertion is required\", max_age=" + maxAgeSeconds;
  }

  /** The RFC 9457 body; {@code type} is a stable suffix of {@link #PROBLEM_BASE}. */
  public static JsonObject problemJson(int status, String type, String title, String detail, Map<String, Object> extra) {
    var json = new JsonObject().put("type", PROBLEM_BASE + type).put("title", title).put("status", status).put("detail", detail);
    extra.forEach(json::put);
    return json;
  }
}
