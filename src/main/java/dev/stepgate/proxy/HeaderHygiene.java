package dev.stepgate.proxy;

import dev.stepgate.config.Cidr;
import dev.stepgate.identity.IdentityHeaders;
import dev.stepgate.session.SessionCookie;
import io.vertx.core.MultiMap;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What may cross the gateway in headers (SPEC section 6). Incoming requests lose hop-by-hop
 * headers (RFC 9110 §7.6.1) and every header their {@code Connection} names, all identity headers
 * in any spelling, method overrides, the gateway's own session cookie, and, unless the peer is a
 * trusted proxy, {@code X-Forwarded-*} / {@code Forwarded}, path overrides ({@code
 * X-Original-URL}, …) and client-IP headers ({@code True-Client-IP}, …). The gateway then sets its
 * own forwarding headers.
 */
public final class HeaderHygiene {
  /** RFC 9110 §7.6.1 and the legacy ones proxies still meet. */
  static final Set<String> HOP_BY_HOP =
      Set.of("connection", "keep-alive", "proxy-connection", "proxy-authenticate",
          "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade", "http2-settings");

  /** Headers that ask a framework to treat the request as another method. */
  static final Set<String> METHOD_OVERRIDES =
      Set.of("x-http-method-override", "x-http-method", "x-method-override", "x-original-method");

  /**
   * Headers, besides every {@code X-Forwarded-*}, that only a proxy in front may set, so they reach
   * the app only from {@code trusted_proxies}: {@code Forwarded} (RFC 7239) and {@code X-Real-IP};
   * path overrides that IIS URL Rewrite, Symfony and Laminas route by (an app would serve another
   * path than the one the policy decided on); client-IP headers of CDNs and load balancers
   * (Akamai, Cloudflare, Fastly, …) that apps log and rate-limit by. The forward-auth endpoint reads
   * {@code X-Original-URL} from its own request, which is not proxied.
   */
  static final Set<String> PROXY_SET =
      Set.of("forwarded", "x-real-ip",
          "x-original-url", "x-rewrite-url", "x-original-uri", "x-override-url",
          "true-client-ip", "x-client-ip", "client-ip", "cf-connecting-ip", "fastly-client-ip", "x-cluster-client-ip");

  /**
   * What is known of a header name whatever the request: its normalised form and what the rules
   * above make of it. Names repeat from request to request, so verdicts are kept (up to {@link
   * #KEPT_VERDICTS} names of at most {@link #KEPT_NAME_LENGTH} characters; longer or later names
   * are judged each time, the same way).
   */
  private record Verdict(String normalised, boolean hopByHop, boolean neverUpstream, boolean proxySet, boolean cookie) {}

  private static final int KEPT_VERDICTS = 4096;
  private static final int KEPT_NAME_LENGTH = 64;
  private static final Map<String, Verdict> VERDICTS = new ConcurrentHashMap<>();

  private final List<Cidr> trustedProxies;
  private final SessionCookie sessionCookie;

  /**
   * @param trustedProxies peers whose forwarding headers are believed
   * @param sessionCookie the gateway's cookie, removed from every {@code Cookie} header sent upstream
   */
  public HeaderHygiene(List<Cidr> trustedProxies, SessionCookie sessionCookie) {
    if (sessionCookie == null) throw new IllegalArgumentException("sessionCookie must not be null");
    this.trustedProxies = List.copyOf(trustedProxies);
    this.sessionCookie = sessionCookie;
  }

  /** Lower case, with {@code _} and {@code .} read as {@code -}: how lenient servers see names. */
  public static String normalise(String name) {
    return name.toLowerCase(Locale.ROOT).replace('_', '-').replace('.', '-');
  }

  private static Verdict verdict(String name) {
    var v = VERDICTS.get(name);
    if (v != null) return v;
    var n = normalise(name);
    boolean hop = HOP_BY_HOP.contains(n);
    v = new Verdict(n, hop,
        hop || METHOD_OVERRIDES.contains(n) || IdentityHeaders.isIdentityHeader(name)
            || n.equals("host") || n.equals("content-length") || n.equals("expect"),
        n.startsWith("x-forwarded-") || PROXY_SET.contains(n),
        n.equals("cookie"));
    if (name.length() <= KEPT_NAME_LENGTH && VERDICTS.size() < KEPT_VERDICTS) VERDICTS.put(name, v);
    return v;
  }

  /** True when the peer at {@code address} may set {@code X-Forwarded-*}. */
  public boolean trusted(String address) {
    for (var cidr : trustedProxies) if (cidr.contains(address)) return true;
    return false;
  }

  /** The address of the client behind {@code req} ({@link #clientAddress(String, List)}); null when unknown. */
  public String clientAddress(io.vertx.core.http.HttpServerRequest req) {
    var peer = req.remoteAddress() == null ? null : req.remoteAddress().hostAddress();
    return clientAddress(peer, req.headers().getAll("X-Forwarded-For"));
  }

  /**
   * The client a request from {@code peer} is for, as rate limits and audit count it: {@code peer}
   * itself unless it is a trusted proxy; then the rightmost {@code X-Forwarded-For} entry that is
   * not a trusted proxy. Entries left of that one were written by the client and prove nothing,
   * so a client cannot choose its address by sending the header itself; an entry that is not an
   * IP address ends the walk at the last good one.
   *
   * @param forwardedFor every {@code X-Forwarded-For} header, in order (each a comma-separated list)
   */
  public String clientAddress(String peer, List<String> forwardedFor) {
    if (peer == null || !trusted(peer) || forwardedFor.isEmpty()) return peer;
    var entries = new ArrayList<String>();
    for (var header : forwardedFor) for (var e : header.split(",")) entries.add(e.trim());
    var client = peer;
    for (int i = entries.size() - 1; i >= 0; i--) {
      var e = ipLiteral(entries.get(i));
      if (e == null) break;
      client = e;
      if (!trusted(e)) break;
    }
    return client;
  }

  /** {@code text} as an IP address ({@code [v6]} and {@code v4:port} forms unwrapped), or null. */
  private static String ipLiteral(String text) {
    var t = text;
    if (t.startsWith("[")) {
      int close = t.indexOf(']');
      if (close < 0) return null;
      t = t.substring(1, close);
    } else if (t.indexOf(':') > 0 && t.indexOf(':') == t.lastIndexOf(':') && t.contains(".")) {
      t = t.substring(0, t.indexOf(':'));
    }
    if (t.isEmpty() || t.length() > 45) return null;
    if (t.matches("(\\d{1,3}\\.){3}\\d{1,3}") || (t.contains(":") && t.matches("[0-9A-Fa-f:.]+"))) {
      // A literal only (checked above), so this never asks DNS; it rejects 999.1.1.1 and :::.
      try {
        return java.net.InetAddress.getByName(t).getHostAddress();
      } catch (java.net.UnknownHostException e) {
        return null;
      }
    }
    return null;
  }

  /**
   * The headers to send upstream, before the gateway adds its own. {@code Host} and hop-by-hop
   * framing headers are left to the HTTP client.
   *
   * <p>{@code Cookie} loses the gateway's session cookie ({@link SessionCookie#removeFrom}) and
   * goes out as one header, or none if nothing is left: several (HTTP/2 sends one per cookie) are
   * joined with {@code "; "}, as RFC 9113 §8.2.3 requires before an HTTP/1.1 hop.
   */
  public MultiMap forUpstream(MultiMap incoming, boolean fromTrustedProxy) {
    var named = connectionNamed(incoming);
    var out = MultiMap.caseInsensitiveMultiMap();
    String cookieName = null;
    String cookies = null;
    boolean joined = false;
    for (var e : incoming) {
      var v = verdict(e.getKey());
      if (v.neverUpstream() || (v.proxySet() && !fromTrustedProxy) || named.contains(v.normalised())) continue;
      if (v.cookie()) {
        var kept = sessionCookie.removeFrom(e.getValue());
        if (kept.isEmpty()) continue;
        if (cookies == null) {
          cookieName = e.getKey();
          cookies = kept;
          out.add(cookieName, kept); // in place: the usual single header keeps its position
        } else {
          cookies = cookies + "; " + kept;
          joined = true;
        }
        continue;
      }
      out.add(e.getKey(), e.getValue());
    }
    if (joined) out.set(cookieName, cookies);
    return out;
  }

  /** The upstream's response headers minus hop-by-hop ones and those its Connection names. */
  public static MultiMap forClient(MultiMap upstream) {
    var named = connectionNamed(upstream);
    var out = MultiMap.caseInsensitiveMultiMap();
    for (var e : upstream) {
      var v = verdict(e.getKey());
      if (v.hopByHop() || named.contains(v.normalised()) || v.normalised().equals("content-length")) continue;
      out.add(e.getKey(), e.getValue());
    }
    return out;
  }

  /**
   * Removes from the upstream's response {@code headers}, in place, what {@link #forClient} would
   * not copy, except {@code Content-Length}.
   */
  static void stripForClient(MultiMap headers) {
    var named = connectionNamed(headers);
    List<String> drop = null;
    for (var e : headers) {
      var v = verdict(e.getKey());
      if (v.hopByHop() || named.contains(v.normalised())) {
        if (drop == null) drop = new ArrayList<>(2);
        drop.add(e.getKey());
      }
    }
    if (drop != null) for (var name : drop) headers.remove(name);
  }

  /**
   * The normalised names the {@code Connection} header lists, other than hop-by-hop ones (those
   * go anyway); empty (and nothing allocated) in the common case.
   */
  private static Set<String> connectionNamed(MultiMap headers) {
    var value = headers.get("connection");
    if (value == null) return Set.of();
    Set<String> named = null;
    for (var each : headers.getAll("connection")) {
      for (var token : each.split(",")) {
        if (token.isBlank()) continue;
        var n = normalise(token.trim());
        if (HOP_BY_HOP.contains(n)) continue;
        if (named == null) named = new HashSet<>();
        named.add(n);
      }
    }
    return named == null ? Set.of() : named;
  }
}
