package dev.stepgate.proxy;

import dev.stepgate.config.Cidr;
import dev.stepgate.identity.IdentityHeaders;
import io.vertx.core.MultiMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What may cross the gateway in headers (SPEC section 6). Incoming requests lose hop-by-hop
 * headers (RFC 9110 §7.6.1) and every header their {@code Connection} names, all identity headers
 * in any spelling, method overrides, and {@code X-Forwarded-*} / {@code Forwarded} unless the peer
 * is a trusted proxy. The gateway then sets its own forwarding headers.
 */
public final class HeaderHygiene {
  /** RFC 9110 §7.6.1 and the legacy ones proxies still meet. */
  static final Set<String> HOP_BY_HOP =
      Set.of("connection", "keep-alive", "proxy-connection", "proxy-authenticate",
          "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade", "http2-settings");

  /** Headers that ask a framework to treat the request as another method. */
  static final Set<String> METHOD_OVERRIDES =
      Set.of("x-http-method-override", "x-http-method", "x-method-override", "x-original-method");

  private final List<Cidr> trustedProxies;

  public HeaderHygiene(List<Cidr> trustedProxies) {
    this.trustedProxies = List.copyOf(trustedProxies);
  }

  /** Lower case, with {@code _} and {@code .} read as {@code -}: how lenient servers see names. */
  public static String normalise(String name) {
    return name.toLowerCase(Locale.ROOT).replace('_', '-').replace('.', '-');
  }

  /** True when the peer at {@code address} may set {@code X-Forwarded-*}. */
  public boolean trusted(String address) {
    for (var cidr : trustedProxies) if (cidr.contains(address)) return true;
    return false;
  }

  /**
   * The headers to send upstream, before the gateway adds its own. {@code Host} and hop-by-hop
   * framing headers are left to the HTTP client.
   */
  public MultiMap forUpstream(MultiMap incoming, boolean fromTrustedProxy) {
    var named = connectionNamed(incoming);
    var out = MultiMap.caseInsensitiveMultiMap();
    for (var e : incoming) {
      var n = normalise(e.getKey());
      if (HOP_BY_HOP.contains(n) || named.contains(n) || METHOD_OVERRIDES.contains(n)) continue;
      if (IdentityHeaders.isIdentityHeader(e.getKey())) continue;
      if (n.equals("host") || n.equals("content-length") || n.equals("expect")) continue;
      if (!fromTrustedProxy && (n.startsWith("x-forwarded-") || n.equals("forwarded") || n.equals("x-real-ip")))
        continue;
      out.add(e.getKey(), e.getValue());
    }
    return out;
  }

  /** The upstream's response headers minus hop-by-hop ones and those its Connection names. */
  public static MultiMap forClient(MultiMap upstream) {
    var named = connectionNamed(upstream);
    var out = MultiMap.caseInsensitiveMultiMap();
    for (var e : upstream) {
      var n = normalise(e.getKey());
      if (HOP_BY_HOP.contains(n) || named.contains(n) || n.equals("content-length")) continue;
      out.add(e.getKey(), e.getValue());
    }
    return out;
  }

  private static Set<String> connectionNamed(MultiMap headers) {
    var named = new HashSet<String>();
    for (var value : headers.getAll("connection"))
      for (var token : value.split(","))
        if (!token.isBlank()) named.add(normalise(token.trim()));
    return named;
  }
}
