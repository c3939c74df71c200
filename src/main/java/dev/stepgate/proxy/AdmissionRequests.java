package dev.stepgate.proxy;

import dev.stepgate.admission.AdmissionRequest;
import dev.stepgate.admission.EntryPoint;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpServerRequest;
import java.util.List;

/** Describes a request on the wire as the pipeline reads it ({@link AdmissionRequest}). */
final class AdmissionRequests {
  private AdmissionRequests() {}

  /** A request on Vert.x's path, or forward-auth's original request ({@code method target}). */
  static AdmissionRequest of(HttpServerRequest req, String method, RequestTarget target, EntryPoint entry,
      HeaderHygiene hygiene) {
    var peer = req.remoteAddress() == null ? null : req.remoteAddress().hostAddress();
    return new AdmissionRequest(method, target.host(), target.path().forPolicy(), target.pathAndQuery(), cookies(req.headers()),
        peer, hygiene.clientAddress(peer, req.headers().getAll("X-Forwarded-For")), req.headers().getAll("Origin"), Responder.wantsHtml(req),
        entry == EntryPoint.PROXY && WebSocketForwarder.isUpgrade(req), null, entry);
  }

  /**
   * A request the relay holds: never an upgrade (those take Vert.x's path). Its client address is
   * not worked out: nothing the relay admits is rate limited.
   */
  static AdmissionRequest relayed(String method, RequestTarget target, String cookieHeader, String peer) {
    return new AdmissionRequest(method, target.host(), target.path().forPolicy(), target.pathAndQuery(), cookieHeader, peer,
        null, List.of(), false, false, null, EntryPoint.RELAY);
  }

  /** The {@code Cookie} header (the first, as every path has always read it); null when none. */
  static String cookies(MultiMap headers) {
    return headers.get("Cookie");
  }
}
