package dev.stepgate.config;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Where the shared session state lives ({@code sessions.url}, with {@code sessions.driver:
 * redis}), parsed and checked once. Three forms:
 *
 * <ul>
 *   <li>{@code redis://[[user]:password@]host[:port][/db]}: one server, plain TCP;
 *   <li>{@code rediss://…}: the same over TLS (the JVM's trust store verifies the server);
 *   <li>{@code redis-sentinel://[[user]:password@]h1[:port],h2[:port]…[/db]?master=NAME}: ask
 *       these Sentinels which server is the master of {@code NAME} and follow failovers
 *       ({@code redis-sentinels://} for TLS). The password is the master's and the Sentinels'.
 * </ul>
 *
 * The port defaults to 6379 (26379 for Sentinels), the database to 0. {@link #toString} never
 * shows the password.
 *
 * @param sentinel whether {@link #hosts} are Sentinels
 * @param tls whether connections use TLS
 * @param hosts {@code host:port} of the server, or of every Sentinel
 * @param user the ACL user, if given
 * @param password the password, if given (a secret: never logged)
 * @param database the logical database number
 * @param master the master's name (Sentinel only)
 */
public record SessionsEndpoint(
    boolean sentinel, boolean tls, List<String> hosts, Optional<String> user, Optional<String> password, int database,
    Optional<String> master) {

  public SessionsEndpoint {
    hosts = List.copyOf(hosts);
    if (hosts.isEmpty()) throw new IllegalArgumentException("needs a host");
    if (database < 0) throw new IllegalArgumentException("database must not be negative");
    if (sentinel != master.isPresent()) throw new IllegalArgumentException("a master name goes with Sentinel only");
  }

  /** Parses {@code text}; the message of a refusal never repeats the password. */
  public static SessionsEndpoint parse(String text) {
    var t = text.trim();
    int colon = t.indexOf("://");
    if (colon < 0) throw new IllegalArgumentException(expected());
    var scheme = t.substring(0, colon);
    boolean sentinel;
    boolean tls;
    switch (scheme) {
      case "redis" -> { sentinel = false; tls = false; }
      case "rediss" -> { sentinel = false; tls = true; }
      case "redis-sentinel" -> { sentinel = true; tls = false; }
      case "redis-sentinels" -> { sentinel = true; tls = true; }
      default -> throw new IllegalArgumentException("unknown scheme '" + scheme + "'; " + expected());
    }
    var rest = t.substring(colon + 3);
    Optional<String> query = Optional.empty();
    int q = rest.indexOf('?');
    if (q >= 0) {
      query = Optional.of(rest.substring(q + 1));
      rest = rest.substring(0, q);
    }
    Optional<String> user = Optional.empty();
    Optional<String> password = Optional.empty();
    int at = rest.lastIndexOf('@');
    if (at >= 0) {
      var info = rest.substring(0, at);
      rest = rest.substring(at + 1);
      int c = info.indexOf(':');
      var u = c < 0 ? "" : decode(info.substring(0, c));
      var p = c < 0 ? decode(info) : decode(info.substring(c + 1));
      if (!u.isEmpty()) user = Optional.of(u);
      if (!p.isEmpty()) password = Optional.of(p);
    }
    int database = 0;
    int slash = rest.indexOf('/');
    if (slash >= 0) {
      var db = rest.substring(slash + 1);
      rest = rest.substring(0, slash);
      if (!db.isEmpty()) {
        if (!db.matches("[0-9]{1,5}")) throw new IllegalArgumentException("the database must be a number (/0, /1, …)");
        database = Integer.parseInt(db);
      }
    }
    var hosts = new ArrayList<String>();
    for (var h : rest.split(",", -1)) hosts.add(hostPort(h, sentinel ? 26379 : 6379));
    if (!sentinel && hosts.size() > 1)
      throw new IllegalArgumentException("several hosts need redis-sentinel://h1,h2/0?master=NAME");
    Optional<String> master = Optional.empty();
    if (query.isPresent()) {
      for (var pair : query.get().split("&")) {
        if (pair.startsWith("master=") && sentinel && pair.length() > 7) master = Optional.of(decode(pair.substring(7)));
        else throw new IllegalArgumentException("unknown parameter '" + pair.split("=", 2)[0] + "' (only master=, with Sentinel)");
      }
    }
    if (sentinel && master.isEmpty()) throw new IllegalArgumentException("redis-sentinel:// needs ?master=NAME");
    return new SessionsEndpoint(sentinel, tls, hosts, user, password, database, master);
  }

  private static String hostPort(String text, int defaultPort) {
    if (text.isEmpty()) throw new IllegalArgumentException("needs a host");
    String host = text;
    int port = defaultPort;
    int c = text.lastIndexOf(':');
    if (c >= 0 && !text.endsWith("]")) {
      host = text.substring(0, c);
      var p = text.substring(c + 1);
      if (!p.matches("[0-9]{1,5}") || Integer.parseInt(p) < 1 || Integer.parseInt(p) > 65535)
        throw new IllegalArgumentException("'" + p + "' is not a port");
      port = Integer.parseInt(p);
    }
    if (host.isEmpty() || !host.matches("[A-Za-z0-9.\\-_]+|\\[[0-9A-Fa-f:.]+\\]"))
      throw new IllegalArgumentException("'" + host + "' is not a host name");
    return host + ":" + port;
  }

  private static String decode(String s) {
    return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
  }

  private static String expected() {
    return "expected redis://[:password@]host:port[/db], rediss://… (TLS) or"
        + " redis-sentinel://[:password@]h1:26379,h2:26379[/db]?master=NAME";
  }

  @Override
  public String toString() {
    return (sentinel ? (tls ? "redis-sentinels" : "redis-sentinel") : (tls ? "rediss" : "redis")) + "://"
        + (password.isPresent() || user.isPresent() ? user.orElse("") + ":***@" : "") + String.join(",", hosts)
        + "/" + database + master.map(m -> "?master=" + m).orElse("");
  }
}
