package dev.stepgate.stepup;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A form POST kept server-side while its sender proves presence again (SPEC section 5). It
 * belongs to one session, is replayed at most once, and expires.
 *
 * @param sessionId the session it belongs to (re-bound when that session's id rotates)
 * @param method the original method
 * @param host the host it was sent to (lower case, no port; one the gateway serves): the prompt
 *     and the replay decide on this host, whatever host the browser later resumes through
 * @param pathAndQuery the canonical path and raw query it was sent to
 * @param headers the original request headers (hygiene is applied again at replay)
 * @param body the original body
 * @param heldAt when it was held
 */
public record HeldRequest(
    String sessionId, String method, String host, String pathAndQuery, List<Map.Entry<String, String>> headers,
    byte[] body, Instant heldAt) {

  /**
   * What one held request costs besides its body, headers, method, host and target: the objects
   * that carry them and the cache entry. An estimate on the high side, so that many tiny requests
   * are bounded by {@link HeldRequestStore}'s byte budget too.
   */
  public static final int OVERHEAD_BYTES = 512;

  public HeldRequest {
    headers = List.copyOf(headers);
    body = body.clone();
  }

  @Override
  public byte[] body() {
    return body.clone();
  }

  public HeldRequest rebind(String newSessionId) {
    return new HeldRequest(newSessionId, method, host, pathAndQuery, headers, body, heldAt);
  }

  /**
   * The bytes a held request with these parts occupies before its body: headers as on the wire
   * ({@code name: value\r\n}), method, host, target and {@link #OVERHEAD_BYTES}. Strings count one
   * byte per character (Latin-1 strings are stored so; others twice, which the overhead absorbs
   * for ordinary headers).
   */
  public static long sizeWithoutBody(String method, String host, String pathAndQuery,
      List<Map.Entry<String, String>> headers) {
    long size = OVERHEAD_BYTES + method.length() + host.length() + pathAndQuery.length();
    for (var e : headers) size += e.getKey().length() + e.getValue().length() + 4;
    return size;
  }

  /** {@link #sizeWithoutBody} plus the body: what this request counts against the byte budget. */
  public long size() {
    return sizeWithoutBody(method, host, pathAndQuery, headers) + body.length;
  }

  @Override
  public String toString() {
    return "HeldRequest[" + method + " " + host + pathAndQuery + ", " + body.length + " bytes]";
  }
}
