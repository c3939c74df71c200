package dev.stepgate.proxy;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpServerRequest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.regex.Pattern;

/**
 * The id a request is known by in logs and in the answers a user may quote (SPEC section 6):
 * the {@code X-Request-Id} a trusted proxy sent, else a short random one. A client's own id is
 * never believed, and an id that could break a log line (too long, odd characters) neither.
 */
public final class RequestIds {
  public static final String HEADER = "X-Request-Id";
  /** What a proxy's id may look like: nginx's hex {@code $request_id}, UUIDs, trace ids. */
  private static final Pattern ACCEPTED = Pattern.compile("[A-Za-z0-9._:+/=-]{1,128}");
  private static final SecureRandom RANDOM = new SecureRandom();

  private RequestIds() {}

  /** The id of {@code req}, as seen by {@code hygiene}'s {@code trusted_proxies}. */
  public static String of(HttpServerRequest req, HeaderHygiene hygiene) {
    var remote = req.remoteAddress() == null ? null : req.remoteAddress().hostAddress();
    return of(req.headers(), remote, hygiene);
  }

  /** The id of a request with {@code headers} from the peer at {@code remote} (an IP address, or null). */
  public static String of(MultiMap headers, String remote, HeaderHygiene hygiene) {
    if (remote != null && hygiene.trusted(remote)) {
      var sent = headers.getAll(HEADER);
      if (sent.size() == 1 && ACCEPTED.matcher(sent.get(0)).matches()) return sent.get(0);
    }
    return generate();
  }

  /** A new id: 72 random bits, 12 base64url characters. */
  public static String generate() {
    var bytes = new byte[9];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}
