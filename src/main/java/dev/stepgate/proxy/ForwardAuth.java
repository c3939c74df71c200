package dev.stepgate.proxy;

import dev.stepgate.admission.Admission;
import dev.stepgate.admission.EntryPoint;
import dev.stepgate.admission.Problems;
import dev.stepgate.admission.RequestRejected;
import dev.stepgate.admission.Verdict;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpServerRequest;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.logging.Logger;

/**
 * {@code GET|POST /.stepgate/auth}: the forward-auth decision endpoint, for operators who keep
 * their own reverse proxy (nginx {@code auth_request}, Traefik {@code ForwardAuth}, Caddy {@code
 * forward_auth}). The proxy asks about one original request; stepgate makes exactly the decision
 * the in-line proxy would make (the same {@link Admission}, including consuming a one-time
 * step-up) and answers through the same {@link VerdictResponder}:
 *
 * <table>
 *   <caption>answers</caption>
 *   <tr><th>decision</th><th>answer</th></tr>
 *   <tr><td>allow</td><td>200, empty body, identity headers ({@code X-Stepgate-User},
 *       {@code X-Stepgate-Assertion}, compat headers) for the proxy to copy upstream</td></tr>
 *   <tr><td>login / step-up, browser via Traefik or Caddy</td><td>302 to the gateway's page</td></tr>
 *   <tr><td>login / step-up, otherwise</td><td>401 with {@code WWW-Authenticate} (RFC 6750 /
 *       RFC 9470), {@code Location} of the page, and for a browser {@code X-Stepgate-Redirect}
 *       (nginx only understands 2xx/401/403: its config turns that into the redirect)</td></tr>
 *   <tr><td>deny</td><td>403</td></tr>
 * </table>
 *
 * <p>Only peers in {@code trusted_proxies} are answered (the same list that decides whether
 * {@code X-Forwarded-*} is believed on the proxy path); any other peer gets 403 before a header is
 * read, whatever it sends. The original request is read from {@code X-Original-URL} + {@code
 * X-Original-Method} (nginx) or {@code X-Forwarded-Method} + {@code -Proto} + {@code -Host} +
 * {@code -Uri} (Traefik, Caddy), and its host must be one the gateway serves (421 otherwise). A
 * request carrying both families is refused: a client could have sent the family its proxy does
 * not overwrite.
 */
public final class ForwardAuth implements Handler<HttpServerRequest> {
  public static final String PATH = "/.stepgate/auth";
  /** Set on a refusal the client should follow as a redirect (a browser navigation). */
  public static final String REDIRECT_HEADER = VerdictResponder.REDIRECT_HEADER;
  private static final Logger LOG = Logger.getLogger(ForwardAuth.class.getName());
  // Per instance (one per gateway): an outage logs one line per window on each gateway.
  private final dev.stepgate.observe.LogThrottle failures =
      new dev.stepgate.observe.LogThrottle(LOG, dev.stepgate.observe.LogThrottle.FAILURE_WINDOW);

  private final Admission admission;
  private final VerdictResponder responder;
  private final HeaderHygiene trust;
  private final Set<String> knownHosts;

  /**
   * @param trust whose {@code trusted_proxies} may ask: nobody else is answered
   * @param knownHosts the hosts the gateway serves; forward-auth for any other host is refused (421)
   */
  public ForwardAuth(Admission admission, VerdictResponder responder, HeaderHygiene trust, Set<String> knownHosts) {
    this.admission = admission;
    this.responder = responder;
    this.trust = trust;
    this.knownHosts = Set.copyOf(knownHosts);
  }

  /** The original request as the operator's proxy describes it. */
  record Original(String method, RequestTarget target, boolean nginx) {}

  @Override
  public void handle(HttpServerRequest req) {
    // First of all: the description headers, the cookie and Accept are believed only from the
    // operator's proxy; for anyone else this endpoint would sign assertions for any request.
    var peer = req.remoteAddress() == null ? null : req.remoteAddress().hostAddress();
    if (peer == null || !trust.trusted(peer)) {
      Responder.sendJson(req, Problems.FORWARD_AUTH_NOT_ALLOWED);
      return;
    }
    final Original original;
    try {
      original = original(req.headers(), knownHosts);
    } catch (RequestRejected e) {
      Responder.send(req, Problems.of(e));
      return;
    }
    var target = original.target();
    CompletionStage<Verdict> decided;
    try {
      decided = admission.admit(AdmissionRequests.of(req, original.method(), target, EntryPoint.FORWARD_AUTH, trust));
    } catch (RuntimeException e) {
      decided = CompletableFuture.failedFuture(e);
    }
    var context = Vertx.currentContext();
    (context == null ? Future.fromCompletionStage(decided) : Future.fromCompletionStage(decided, context))
        .onFailure(err -> {
          var requestId = RequestIds.of(req, trust);
          failures.answered503("forward-auth admission", err, requestId);
          Responder.send(req, Problems.unavailableFor(err).with(Problems.REQUEST_ID, requestId));
        })
        .onSuccess(verdict -> responder.forwardAuth(req, target.pathAndQuery(), original.nginx(), verdict));
  }

  /**
   * Reads the original request from the forward-auth headers.
   *
   * @throws RequestRejected 400 when they are missing, repeated, mixed or malformed, or the path is
   *     ambiguous; 421 for a host the gateway does not serve
   */
  static Original original(MultiMap headers, Set<String> knownHosts) {
    var originalUrl = single(headers, "X-Original-URL");
    var originalMethod = single(headers, "X-Original-Method");
    var forwardedUri = single(headers, "X-Forwarded-Uri");
    var forwardedMethod = single(headers, "X-Forwarded-Method");
    boolean nginx = originalUrl != null || originalMethod != null;
    boolean forwarded = forwardedUri != null || forwardedMethod != null;
    if (nginx && forwarded)
      throw bad("The request carries both X-Original-* and X-Forwarded-Uri/-Method; the proxy must send exactly one set.");
    if (nginx) {
      if (originalUrl == null || originalMethod == null)
        throw bad("X-Original-URL and X-Original-Method are both required.");
      int sep = originalUrl.indexOf("://");
      if (sep < 0) throw bad("X-Original-URL must be an absolute http(s) URL.");
      scheme(originalUrl.substring(0, sep));
      var rest = originalUrl.substring(sep + 3);
      int end = 0;
      while (end < rest.length() && rest.charAt(end) != '/' && rest.charAt(end) != '?') end++;
      var uri = rest.substring(end);
      if (uri.isEmpty()) uri = "/";
      else if (uri.charAt(0) == '?') uri = "/" + uri;
      return new Original(method(originalMethod), target(uri, host(rest.substring(0, end), knownHosts)), true);
    }
    if (!forwarded) throw bad("The original request is missing: send X-Original-URL and X-Original-Method (nginx) "
        + "or X-Forwarded-Method, -Proto, -Host and -Uri (Traefik, Caddy).");
    var proto = single(headers, "X-Forwarded-Proto");
    var host = single(headers, "X-Forwarded-Host");
    if (forwardedUri == null || forwardedMethod == null || proto == null || host == null)
      throw bad("X-Forwarded-Method, X-Forwarded-Proto, X-Forwarded-Host and X-Forwarded-Uri are all required.");
    scheme(proto);
    return new Original(method(forwardedMethod), target(forwardedUri, host(host, knownHosts)), false);
  }

  private static RequestTarget target(String uri, String host) {
    if (uri.isEmpty() || uri.charAt(0) != '/')
      throw bad("The original request target must be a path (origin-form).");
    return RequestTarget.originForm(uri, host);
  }

  private static String single(MultiMap headers, String name) {
    var all = headers.getAll(name);
    if (all.isEmpty()) return null;
    if (all.size() > 1) throw bad(name + " must be sent once.");
    var v = all.get(0).trim();
    if (v.isEmpty()) throw bad(name + " must not be empty.");
    return v;
  }

  private static void scheme(String scheme) {
    var s = scheme.toLowerCase(Locale.ROOT);
    if (!s.equals("http") && !s.equals("https")) throw bad("The original scheme must be http or https.");
  }

  /** An RFC 9110 method token, as sent (methods are case-sensitive). */
  private static String method(String method) {
    if (method.length() > 32 || !method.matches("[!#$%&'*+.^_`|~0-9A-Za-z-]+"))
      throw bad("The original method is not a valid method.");
    return method;
  }

  /** The host name of an authority ({@code host[:port]} or {@code [v6][:port]}), lower case. */
  private static String host(String authority, Set<String> knownHosts) {
    var a = authority.toLowerCase(Locale.ROOT);
    String host;
    String port;
    if (a.startsWith("[")) {
      int close = a.indexOf(']');
      if (close < 0) throw bad("The original host is malformed.");
      host = a.substring(1, close);
      port = a.substring(close + 1);
      if (!host.matches("[0-9a-f:.]+")) throw bad("The original host is malformed.");
    } else {
      int colon = a.indexOf(':');
      host = colon < 0 ? a : a.substring(0, colon);
      port = colon < 0 ? "" : a.substring(colon);
      if (!host.matches("[a-z0-9]([a-z0-9.-]*[a-z0-9])?")) throw bad("The original host is malformed.");
    }
    if (!port.isEmpty() && !port.matches(":[0-9]{1,5}")) throw bad("The original host is malformed.");
    if (!knownHosts.contains(host))
      throw new RequestRejected("unknown-host", 421, "This gateway does not serve the host " + host + ".");
    return host;
  }

  private static RequestRejected bad(String message) {
    return new RequestRejected("bad-forward-auth", 400, message);
  }
}
