package dev.stepgate.session;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A form POST kept server-side while its sender proves presence again (SPEC section 5). It
 * belongs to one session, is replayed at most once, and expires.
 *
 * @param sessionId the session it belongs to (re-bound when that session's id rotates)
 * @param method the original method
 * @param pathAndQuery the canonical path and raw query it was sent to
 * @param headers the original request headers (hygiene is applied again at replay)
 * @param body the original body
 * @param heldAt when it was held
 */
public record HeldRequest(
    String sessionId, String method, String pathAndQuery, List<Map.Entry<String, String>> headers, byte[] body,
    Instant heldAt) {

  public HeldRequest {
    headers = List.copyOf(headers);
    body = body.clone();
  }

  @Override
  public byte[] body() {
    return body.clone();
  }

  public HeldRequest rebind(String newSessionId) {
    return new HeldRequest(newSessionId, method, pathAndQuery, headers, body, heldAt);
  }

  @Override
  public String toString() {
    return "HeldRequest[" + method + " " + pathAndQuery + ", " + body.length + " bytes]";
  }
}
