package dev.stepgate.proxy;

import dev.stepgate.admission.RequestRejected;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import java.util.Locale;

/**
 * Refuses request framing that two HTTP parsers could read differently (request smuggling, RFC
 * 9112 §6.1 and §6.3): Content-Length together with Transfer-Encoding, several or malformed
 * Content-Length values, a Transfer-Encoding other than {@code chunked}.
 */
final class Framing {
  private Framing() {}

  static void check(HttpServerRequest req) {
    check(req.headers(), req.version() == HttpVersion.HTTP_1_0);
  }

  /** As {@link #check(HttpServerRequest)} for a request's {@code headers}; {@code http10}: sent as HTTP/1.0. */
  static void check(MultiMap headers, boolean http10) {
    if (!headers.contains("Content-Length") && !headers.contains("Transfer-Encoding")) return; // no body
    var lengths = headers.getAll("Content-Length");
    var encodings = headers.getAll("Transfer-Encoding");
    if (!encodings.isEmpty() && !lengths.isEmpty())
      throw smuggling("both Content-Length and Transfer-Encoding");
    if (lengths.size() > 1) throw smuggling("more than one Content-Length");
    if (lengths.size() == 1 && !lengths.get(0).trim().matches("\\d{1,18}"))
      throw smuggling("a malformed Content-Length");
    if (encodings.size() > 1) throw smuggling("more than one Transfer-Encoding");
    if (encodings.size() == 1) {
      if (http10) throw smuggling("Transfer-Encoding on HTTP/1.0");
      if (!encodings.get(0).trim().toLowerCase(Locale.ROOT).equals("chunked"))
        throw smuggling("a Transfer-Encoding other than chunked");
    }
  }

  private static RequestRejected smuggling(String what) {
    return new RequestRejected("bad-framing", 400, "The request has " + what + ".");
  }
}
