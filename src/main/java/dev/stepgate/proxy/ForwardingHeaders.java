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
    var remote = req.remoteAddress() == null ? "unknown" : req.remoteAddress().hostAddress();
    boolean trusted = hygiene.trusted(remote);
    var out = hygiene.forUpstream(req.headers(), trusted);
    var xff = req.getHeader("X-Forwarded-For");
    out.set("X-Forwarded-For", trusted && xff != null ? xff + ", " + remote : remote);
    var proto = req.getHeader("X-Forwarded-Proto");
    out.set("X-Forwarded-Proto", trusted && proto != null ? proto : req.isSSL() ? "https" : "http");
    var host = req.getHeader("X-Forwarded-Host");
    var authority = req.authority() == null ? "" : req.authority().toString();
    out.set("X-Forwarded-Host", trusted && host != null ? host : authority);
    return out;
  }
}
