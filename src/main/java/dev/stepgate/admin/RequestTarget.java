package dev.stepgate.admin;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;

/**
 * The host and path {@code policy explain} decides on. The path is canonicalized minimally (dot
 * segments resolved, empty segments dropped, query and fragment removed); the gateway's own
 * canonicalizer (SPEC section 6) is stricter.
 */
record RequestTarget(String host, String path) {

  /** Reads an absolute http(s) URL, or a path with {@code defaultHost}; empty if neither. */
  static Optional<RequestTarget> parse(String url, String defaultHost) {
    if (url.startsWith("/")) return Optional.of(new RequestTarget(defaultHost, canonical(url)));
    try {
      URI u = new URI(url);
      String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase();
      if (!scheme.equals("http") && !scheme.equals("https") || u.getHost() == null) {
        return Optional.empty();
      }
      String raw = u.getRawPath() == null || u.getRawPath().isEmpty() ? "/" : u.getRawPath();
      return Optional.of(new RequestTarget(u.getHost(), canonical(raw)));
    } catch (URISyntaxException e) {
      return Optional.empty();
    }
  }

  /** Drops query and fragment, resolves {@code .} and {@code ..}, collapses empty segments. */
  static String canonical(String rawPath) {
    String p = rawPath;
    int cut = indexOfAny(p, '?', '#');
    if (cut >= 0) p = p.substring(0, cut);
    Deque<String> out = new ArrayDeque<>();
    for (String seg : p.split("/")) {
      if (seg.isEmpty() || seg.equals(".")) continue;
      if (seg.equals("..")) {
        out.pollLast();
      } else {
        out.addLast(seg);
      }
    }
    boolean trailing = p.endsWith("/") && !out.isEmpty();
    return "/" + String.join("/", out) + (trailing ? "/" : "");
  }

  private static int indexOfAny(String s, char a, char b) {
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) == a || s.charAt(i) == b) return i;
    }
    return -1;
  }
}
