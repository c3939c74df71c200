package dev.stepgate.admission;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;

/**
 * The one canonical form of a request path (SPEC section 6), computed once per request: the policy
 * decides on it and the upstream receives it. Percent-encoded unreserved characters are decoded
 * (RFC 3986 §2.3), other escapes are kept with upper-case hex (§6.2.2.1), dot segments are
 * resolved (§5.2.4) and empty segments collapsed. A path that two parsers could read differently
 * is refused instead: encoded {@code /} or {@code \}, {@code ;} parameters, NUL and control
 * characters, escaped {@code %} (double encoding), invalid escapes or UTF-8, and {@code ..} above
 * the root.
 *
 * @param value the canonical path, always starting with {@code /}; a trailing slash is kept
 */
public record CanonicalPath(String value) {

  public CanonicalPath {
    if (value == null || !value.startsWith("/")) throw new IllegalArgumentException("path must start with /");
  }

  /** The path the policy matches: {@link #value()} without a trailing slash (except {@code /}). */
  public String forPolicy() {
    return value.length() > 1 && value.endsWith("/") ? value.substring(0, value.length() - 1) : value;
  }

  /**
   * Canonicalizes the raw path of a request target (no query, no fragment).
   *
   * @throws RequestRejected when the path is ambiguous or malformed
   */
  public static CanonicalPath of(String rawPath) {
    if (rawPath == null || rawPath.isEmpty() || rawPath.charAt(0) != '/')
      throw RequestRejected.ambiguousPath("it must start with /");
    return alreadyCanonical(rawPath) ? new CanonicalPath(rawPath) : canonicalize(rawPath);
  }

  /**
   * True for the common path that {@link #canonicalize} would return unchanged: printable ASCII
   * without escapes or the characters it refuses, and no empty or dot segment (nothing follows a
   * {@code /} with {@code /} or {@code .}).
   */
  static boolean alreadyCanonical(String rawPath) {
    char prev = 0;
    for (int i = 0; i < rawPath.length(); i++) {
      char c = rawPath.charAt(i);
      if (c < 0x21 || c >= 0x7F || c == '%' || c == '\\' || c == ';' || c == '#' || c == '?') return false;
      if (prev == '/' && (c == '/' || c == '.')) return false;
      prev = c;
    }
    return true;
  }

  /** The full canonicalization (SPEC section 6) of a raw path that starts with {@code /}. */
  static CanonicalPath canonicalize(String rawPath) {
    var decoded = new StringBuilder(rawPath.length());
    var bytes = new java.io.ByteArrayOutputStream();
    for (int i = 0; i < rawPath.length(); i++) {
      char c = rawPath.charAt(i);
      if (c == '%') {
        if (i + 2 >= rawPath.length()) throw RequestRejected.ambiguousPath("an incomplete %-escape");
        int hi = Character.digit(rawPath.charAt(i + 1), 16);
        int lo = Character.digit(rawPath.charAt(i + 2), 16);
        if (hi < 0 || lo < 0) throw RequestRejected.ambiguousPath("an invalid %-escape");
        int b = hi * 16 + lo;
        i += 2;
        bytes.write(b);
        if (b == '/' || b == '\\') throw RequestRejected.ambiguousPath("an encoded slash or backslash");
        if (b == '%') throw RequestRejected.ambiguousPath("an encoded % (double encoding)");
        if (b == ';') throw RequestRejected.ambiguousPath("an encoded ;");
        if (b < 0x20 || b == 0x7F) throw RequestRejected.ambiguousPath("an encoded control character");
        if (isUnreserved(b)) decoded.append((char) b);
        else decoded.append('%').append(Character.toUpperCase(Character.forDigit(hi, 16)))
            .append(Character.toUpperCase(Character.forDigit(lo, 16)));
        continue;
      }
      if (c == '\\') throw RequestRejected.ambiguousPath("a backslash");
      if (c == ';') throw RequestRejected.ambiguousPath("a ; parameter");
      if (c < 0x21 || c >= 0x7F) throw RequestRejected.ambiguousPath("a character that must be escaped");
      if (c == '#' || c == '?') throw RequestRejected.ambiguousPath("a stray " + c);
      bytes.write(c);
      decoded.append(c);
    }
    requireUtf8(bytes.toByteArray());
    return new CanonicalPath(removeDotSegments(decoded.toString()));
  }

  /** RFC 3986 §2.3: ALPHA / DIGIT / "-" / "." / "_" / "~". */
  private static boolean isUnreserved(int b) {
    return (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9')
        || b == '-' || b == '.' || b == '_' || b == '~';
  }

  private static void requireUtf8(byte[] bytes) {
    try {
      StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes));
    } catch (CharacterCodingException e) {
      throw RequestRejected.ambiguousPath("invalid UTF-8");
    }
  }

  /** Resolves {@code .} and {@code ..}, collapses empty segments, keeps a trailing slash. */
  private static String removeDotSegments(String path) {
    var segments = new ArrayDeque<String>();
    boolean trailingSlash = path.endsWith("/");
    for (var segment : path.split("/", -1)) {
      if (segment.isEmpty() || segment.equals(".")) continue;
      if (segment.equals("..")) {
        if (segments.isEmpty()) throw RequestRejected.ambiguousPath("a .. above the root");
        segments.removeLast();
        continue;
      }
      segments.addLast(segment);
    }
    var last = path.substring(path.lastIndexOf('/') + 1);
    if (last.equals(".") || last.equals("..")) trailingSlash = true;
    var out = new StringBuilder();
    for (var s : segments) out.append('/').append(s);
    if (out.length() == 0) return "/";
    if (trailingSlash) out.append('/');
    return out.toString();
  }
}
