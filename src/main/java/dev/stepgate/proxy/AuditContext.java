package dev.stepgate.proxy;

import dev.stepgate.audit.AuditEntry;
import dev.stepgate.observe.Platform;
import io.vertx.core.http.HttpServerRequest;

/**
 * An audit entry about the request at hand: its id ({@link RequestIds}: a trusted proxy's, else
 * a new one), the client address as {@code trusted_proxies} see it, and the User-Agent's platform.
 */
public final class AuditContext {
  private AuditContext() {}

  public static AuditEntry of(String event, HttpServerRequest req, HeaderHygiene hygiene) {
    return AuditEntry.of(event).request(RequestIds.of(req, hygiene), hygiene.clientAddress(req),
        Platform.fromUserAgent(req.getHeader("User-Agent")).label());
  }
}
