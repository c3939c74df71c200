package dev.stepgate.policy;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * One {@code paths} entry of a rule (SPEC section 3): {@code *} matches within one segment, {@code
 * **} (a whole segment) matches any number of segments including none, so {@code /payouts/**}
 * matches {@code /payouts} and {@code /payouts/a/b}. Matching ignores empty segments, so a
 * trailing slash on the request path does not escape a rule.
 */
public final class PathGlob {
  private final String text;
  private final boolean caseInsensitive;
  private final List<Segment> segments;

  private PathGlob(String text, boolean caseInsensitive, List<Segment> segments) {
    this.text = text;
    this.caseInsensitive = caseInsensitive;
    this.segments = List.copyOf(segments);
  }

  /**
   * Why {@code text} is not a valid glob, or empty when it is. The message is one plain phrase
   * that follows the quoted glob, e.g. {@code must start with '/'}.
   */
  public static Optional<String> problem(String text) {
    if (text.isEmpty()) return Optional.of("must not be empty");
    if (!text.startsWith("/")) return Optional.of("must start with '/'");
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c <= ' ' || c == 0x7f) return Optional.of("must not contain spaces or control characters");
      if ("?[]{}\\".indexOf(c) >= 0) {
        return Optional.of("'" + c + "' is not supported; only '*' and '**' are wildcards");
      }
    }
    if (text.equals("/")) return Optional.empty();
    if (text.endsWith("/")) return Optional.of("must not end with '/'");
    for (String seg : text.substring(1).split("/", -1)) {
      if (seg.isEmpty()) return Optional.of("must not contain an empty segment ('//')");
      if (seg.equals(".") || seg.equals("..")) {
        return Optional.of("'.' and '..' segments never match a canonical path");
      }
      if (seg.contains("**") && !seg.equals("**")) {
        return Optional.of("'**' must be a whole path segment");
      }
    }
    return Optional.empty();
  }

  /**
   * Compiles a glob. Throws {@link IllegalArgumentException} when {@link #problem(String)} reports
   * one; with {@code caseInsensitive}, literal parts and matched paths are folded to lower case.
   */
  public static PathGlob of(String text, boolean caseInsensitive) {
    Objects.requireNonNull(text, "text");
    problem(text).ifPresent(p -> {
      throw new IllegalArgumentException("invalid glob '" + text + "': " + p);
    });
    String folded = caseInsensitive ? text.toLowerCase(Locale.ROOT) : text;
    List<Segment> segs = new ArrayList<>();
    for (String raw : split(folded)) {
      Segment s = Segment.of(raw);
      // '/**/**' means the same as '/**'; keeping one keeps matching linear.
      boolean repeat = s.kind == Kind.ANY_SEGMENTS && !segs.isEmpty()
          && segs.get(segs.size() - 1).kind == Kind.ANY_SEGMENTS;
      if (!repeat) segs.add(s);
    }
    return new PathGlob(text, caseInsensitive, segs);
  }

  /** The glob as written in the policy file. */
  public String text() {
    return text;
  }

  /** True when this glob matches {@code canonicalPath}, by a direct (uncompiled) walk. */
  public boolean matches(String canonicalPath) {
    String p = caseInsensitive ? canonicalPath.toLowerCase(Locale.ROOT) : canonicalPath;
    return matchFrom(0, split(p), 0);
  }

  private boolean matchFrom(int gi, String[] path, int pi) {
    if (gi == segments.size()) return pi == path.length;
    Segment g = segments.get(gi);
    if (g.kind == Kind.ANY_SEGMENTS) {
      for (int k = pi; k <= path.length; k++) {
        if (matchFrom(gi + 1, path, k)) return true;
      }
      return false;
    }
    return pi < path.length && g.matches(path[pi]) && matchFrom(gi + 1, path, pi + 1);
  }

  /**
   * True when every path this glob's {@code other} matches is also matched by this glob. May
   * answer false for some true cases (it compares segment by segment), never true for a false one.
   */
  public boolean covers(PathGlob other) {
    return coversFrom(0, other.segments, 0);
  }

  private boolean coversFrom(int i, List<Segment> b, int j) {
    if (i == segments.size()) return j == b.size();
    Segment a = segments.get(i);
    if (a.kind == Kind.ANY_SEGMENTS) {
      return coversFrom(i + 1, b, j) || (j < b.size() && coversFrom(i, b, j + 1));
    }
    if (j == b.size() || b.get(j).kind == Kind.ANY_SEGMENTS) return false;
    return a.covers(b.get(j)) && coversFrom(i + 1, b, j + 1);
  }

  List<Segment> segments() {
    return segments;
  }

  /** Splits a path into its non-empty segments. */
  static String[] split(String path) {
    int n = 0;
    int len = path.length();
    for (int i = 0; i < len; i++) {
      if (path.charAt(i) != '/' && (i == 0 || path.charAt(i - 1) == '/')) n++;
    }
    String[] out = new String[n];
    int k = 0;
    int start = -1;
    for (int i = 0; i <= len; i++) {
      boolean slash = i == len || path.charAt(i) == '/';
      if (slash) {
        if (start >= 0) out[k++] = path.substring(start, i);
        start = -1;
      } else if (start < 0) {
        start = i;
      }
    }
    return out;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PathGlob g && g.text.equals(text) && g.caseInsensitive == caseInsensitive;
  }

  @Override
  public int hashCode() {
    return text.hashCode();
  }

  @Override
  public String toString() {
    return text;
  }

  enum Kind { LITERAL, ONE_SEGMENT, WILDCARD, ANY_SEGMENTS }

  /** One segment of a glob: a literal, {@code *}, a pattern such as {@code *.css}, or {@code **}. */
  static final class Segment {
    final Kind kind;
    final String text;
    private final String[] parts;

    private Segment(Kind kind, String text) {
      this.kind = kind;
      this.text = text;
      this.parts = kind == Kind.WILDCARD ? text.split("\\*", -1) : new String[0];
    }

    static Segment of(String raw) {
      if (raw.equals("**")) return new Segment(Kind.ANY_SEGMENTS, raw);
      if (raw.equals("*")) return new Segment(Kind.ONE_SEGMENT, raw);
      if (raw.indexOf('*') >= 0) return new Segment(Kind.WILDCARD, raw);
      return new Segment(Kind.LITERAL, raw);
    }

    /** Matches one (already case-folded) path segment. */
    boolean matches(String seg) {
      switch (kind) {
        case LITERAL:
          return text.equals(seg);
        case ONE_SEGMENT:
          return true;
        case WILDCARD:
          return wildcardMatches(seg);
        default:
          return false;
      }
    }

    private boolean wildcardMatches(String seg) {
      String first = parts[0];
      String last = parts[parts.length - 1];
      if (seg.length() < first.length() + last.length()) return false;
      if (!seg.startsWith(first) || !seg.endsWith(last)) return false;
      int pos = first.length();
      int end = seg.length() - last.length();
      for (int i = 1; i < parts.length - 1; i++) {
        int at = seg.indexOf(parts[i], pos);
        if (at < 0 || at + parts[i].length() > end) return false;
        pos = at + parts[i].length();
      }
      return true;
    }

    boolean covers(Segment b) {
      switch (kind) {
        case ONE_SEGMENT:
          return true;
        case LITERAL:
          return b.kind == Kind.LITERAL && b.text.equals(text);
        case WILDCARD:
          return b.text.equals(text) || (b.kind == Kind.LITERAL && wildcardMatches(b.text));
        default:
          return false;
      }
    }
  }
}
