package dev.stepgate.proxy;

import dev.stepgate.admission.CanonicalPath;
import dev.stepgate.admission.RequestRejected;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.HostAndPort;
import java.util.Locale;
import java.util.Set;

/**
 * The parts of a request the gateway decides on, computed once: canonical path, raw query, and
 * the host the client addressed.
 *
 * @param path the canonical path
 * @param query the raw query without {@code ?}, or null
 * @param host the addressed host name, lower case, without port
 */
public record RequestTarget(CanonicalPath path, String query, String host) {

  /** Path and query as sent upstream. */
  public String pathAndQuery() {
    return query == null ? path.value() : path.value() + "?" + query;
  }

  /**
   * Reads the target of {@code req}; refuses absolute-form targets, fragments, unknown hosts and
   * ambiguous paths.
   */
  static RequestTarget of(HttpServerRequest req, Set<String> knownHosts) {
    // RFC 9112 §3.2: more than one Host is a 400; servers would otherwise pick different ones
    if (req.headers().getAll("Host").size() > 1)
      throw new RequestRejected("ambiguous-host", 400, "The request has more than one Host header.");
    return of(req.uri(), req.authority(), knownHosts);
  }

  /** As {@link #of(HttpServerRequest, Set)} for a request {@code uri} addressed to {@code authority} (null: none). */
  static RequestTarget of(String uri, HostAndPort authority, Set<String> knownHosts) {
    if (authority == null || authority.host() == null || authority.host().isEmpty()) {
      originForm(uri, ""); // a bad target is reported before a missing host
      throw new RequestRejected("missing-host", 400, "The request has no Host header.");
    }
    var target = originForm(uri, authority.host().toLowerCase(Locale.ROOT));
    if (!knownHosts.contains(target.host()) && !isProbe(target.path()))
      throw new RequestRejected("unknown-host", 421, "This gateway does not serve the host " + target.host() + ".");
    return target;
  }

  /**
   * Reads an origin-form target ({@code /path?query}) addressed to {@code host} (lower case, no
   * port): refuses fragments, unescaped characters in the query and ambiguous paths.
   */
  static RequestTarget originForm(String uri, String host) {
    checkOriginForm(uri);
    int q = uri.indexOf('?');
    var rawPath = q < 0 ? uri : uri.substring(0, q);
    var query = q < 0 ? null : uri.substring(q + 1);
    if (query != null) for (int i = 0; i < query.length(); i++) {
      char c = query.charAt(i);
      if (c < 0x21 || c >= 0x7F) throw new RequestRejected("bad-request-target", 400, "The query has a character that must be escaped.");
    }
    return new RequestTarget(CanonicalPath.of(rawPath), query, host);
  }

  private static void checkOriginForm(String uri) {
    if (uri == null || uri.isEmpty() || uri.charAt(0) != '/')
      throw new RequestRejected("bad-request-target", 400, "The request target must be a path (origin-form).");
    if (uri.indexOf('#') >= 0)
      throw new RequestRejected("bad-request-target", 400, "The request target must not carry a fragment.");
  }

  /**
   * Paths answered whatever {@code Host} names: health probes, and forward-auth, which the
   * operator's proxy calls by the name it reaches stepgate under (the original host it checks is
   * in {@code X-Forwarded-Host} / {@code X-Original-URL}, see {@link ForwardAuth}).
   */
  private static boolean isProbe(CanonicalPath path) {
    return path.value().equals("/.stepgate/healthz") || path.value().equals("/.stepgate/readyz")
        || path.value().equals(ForwardAuth.PATH);
  }
}
