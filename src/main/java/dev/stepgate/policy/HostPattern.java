package dev.stepgate.policy;

import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * One {@code hosts} entry of a rule: an exact host name, or {@code *.example.com} for any
 * subdomain of example.com (not example.com itself). Case-insensitive; the request's port is
 * ignored.
 */
public final class HostPattern {
  private final String text;
  private final String name;
  private final boolean wildcard;

  private HostPattern(String text, String name, boolean wildcard) {
    this.text = text;
    this.name = name;
    this.wildcard = wildcard;
  }

  /** Why {@code text} is not a valid host pattern, or empty when it is. */
  public static Optional<String> problem(String text) {
    if (text.isEmpty()) return Optional.of("must not be empty");
    String h = text.startsWith("*.") ? text.substring(2) : text;
    if (h.indexOf('*') >= 0) {
      return Optional.of("only a leading '*.' wildcard is supported; omit hosts to match any host");
    }
    if (h.indexOf(':') >= 0 && !h.startsWith("[")) {
      return Optional.of("must not carry a port; the request's port is ignored");
    }
    if (h.isEmpty() || h.startsWith(".") || h.endsWith(".") || h.contains("..")) {
      return Optional.of("is not a host name");
    }
    for (int i = 0; i < h.length(); i++) {
      char c = Character.toLowerCase(h.charAt(i));
      boolean ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.'
          || c == '[' || c == ']' || c == ':' || c == '_';
      if (!ok) return Optional.of("is not a host name");
    }
    return Optional.empty();
  }

  /** Compiles a host pattern; throws {@link IllegalArgumentException} if it has a problem. */
  public static HostPattern of(String text) {
    Objects.requireNonNull(text, "text");
    problem(text).ifPresent(p -> {
      throw new IllegalArgumentException("invalid host '" + text + "': " + p);
    });
    String lower = text.toLowerCase(Locale.ROOT);
    boolean wildcard = lower.startsWith("*.");
    return new HostPattern(text, wildcard ? lower.substring(1) : lower, wildcard);
  }

  /** The pattern as written. */
  public String text() {
    return text;
  }

  /** True for a {@code *.} pattern. */
  public boolean wildcard() {
    return wildcard;
  }

  /** Matches a host already reduced by {@link #normalize(String)}. */
  boolean matchesNormalized(String host) {
    if (wildcard) return host.length() > name.length() && host.endsWith(name);
    return host.equals(name);
  }

  /** True when {@code requestHost} (a Host header value, port allowed) matches. */
  public boolean matches(String requestHost) {
    return matchesNormalized(normalize(requestHost));
  }

  /** True when every host {@code other} matches is matched by this pattern. */
  boolean covers(HostPattern other) {
    if (!wildcard) return !other.wildcard && other.name.equals(name);
    return other.name.endsWith(name) && (other.wildcard || other.name.length() > name.length());
  }

  /**
   * Lower-cases a Host header value and strips its port and a trailing dot, so {@code
   * Example.COM.:8443} becomes {@code example.com}. IPv6 literals keep their brackets.
   */
  static String normalize(String host) {
    String h = host.trim().toLowerCase(Locale.ROOT);
    if (h.startsWith("[")) {
      int close = h.indexOf(']');
      return close < 0 ? h : h.substring(0, close + 1);
    }
    int colon = h.indexOf(':');
    if (colon >= 0) h = h.substring(0, colon);
    while (h.endsWith(".")) h = h.substring(0, h.length() - 1);
    return h;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof HostPattern p && p.text.equalsIgnoreCase(text);
  }

  @Override
  public int hashCode() {
    return text.toLowerCase(Locale.ROOT).hashCode();
  }

  @Override
  public String toString() {
    return text;
  }
}
