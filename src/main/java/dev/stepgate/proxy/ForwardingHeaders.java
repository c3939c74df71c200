package dev.stepgate.proxy;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpServerRequest;

/**
 * The request as it will reach the upstream, before identity is added: hygiene applied and the
 * gateway's own {@code X-Forwarded-For/-Proto/-Host} set (client values believed only from
 * trusted proxies).
 */
final class ForwardingHeaders {
  private ForwardingHeaders() {}

  static MultiMap of(HttpServerRequest req, HeaderHygiene hygiene) {
    return of(req.headers(), req, hygiene);
  }

  /** As {@link #of(HttpServerRequest, HeaderHygiene)} for headers recorded earlier (a held POST). */
  static MultiMap of(MultiMap incoming, HttpServerRequest req, HeaderHygiene hygiene) {
    var remote = req.remoteAddress() == null ? "unknown" : req.remoteAddress().hostAddress();
    var authority = req.authority() == null ? "" : req.authority().toString();
    return of(incoming, remote, req.isSSL(), authority, hygiene);
  }

  /**
   * As {@link #of(HttpServerRequest, HeaderHygiene)} for a request from {@code remote} (an IP
   * address), over TLS or not, addressed to {@code authority} ({@code host[:port]}, or empty).
   */
  static MultiMap of(MultiMap incoming, String remote, boolean ssl, String authority, HeaderHygiene hygiene) {
    boolean trusted = hygiene.trusted(remote);
    var out = hygiene.forUpstream(incoming, trusted);
    var xff = incoming.get("X-Forwarded-For");
    out.set("X-Forwarded-For", trusted && xff != null ? xff + ", " + remote : remote);
    var proto = incoming.get("X-Forwarded-Proto");
    out.set("X-Forwarded-Proto", trusted && proto != null ? proto : ssl ? "https" : "http");
    var host = incoming.get("X-Forwarded-Host");
    out.set("X-Forwarded-Host", trusted && host != null ? host : authority);
    return out;
  }
}
