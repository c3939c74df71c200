package dev.stepgate.session;

/**
 * The session cookie: {@code HttpOnly}, {@code SameSite=Lax}, {@code Path=/}; on https also
 * {@code Secure} with the {@code __Host-} prefix (RFC 6265bis §4.1.3.2), so no subdomain can set
 * or shadow it.
 */
public final class SessionCookie {
  private final String name;
  private final boolean secure;

  public SessionCookie(boolean secure) {
    this.secure = secure;
    this.name = secure ? "__Host-stepgate" : "stepgate";
  }

  public String name() {
    return name;
  }

  /** The {@code Set-Cookie} value that sets the session id. */
  public String set(String sessionId) {
    return name + "=" + sessionId + "; Path=/; HttpOnly; SameSite=Lax" + (secure ? "; Secure" : "");
  }

  /** The {@code Set-Cookie} value that clears it. */
  public String clear() {
    return name + "=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax" + (secure ? "; Secure" : "");
  }

  /** The session id in a {@code Cookie} header, if present and well-formed. */
  public java.util.Optional<String> read(String cookieHeader) {
    if (cookieHeader == null) return java.util.Optional.empty();
    // Read on every proxied request: scan in place, no split or regex (RFC 6265 §4.2.1: "; "-separated pairs).
    int n = cookieHeader.length();
    for (int start = 0; start < n; ) {
      int end = cookieHeader.indexOf(';', start);
      if (end < 0) end = n;
      int from = start;
      int to = end;
      while (from < to && cookieHeader.charAt(from) == ' ') from++;
      while (to > from && cookieHeader.charAt(to - 1) == ' ') to--;
      int value = from + name.length() + 1;
      if (to - value == ID_LENGTH && cookieHeader.startsWith(name, from) && cookieHeader.charAt(value - 1) == '='
          && isId(cookieHeader, value, to)) return java.util.Optional.of(cookieHeader.substring(value, to));
      start = end + 1;
    }
    return java.util.Optional.empty();
  }

  /**
   * {@code cookieHeader} without the gateway's cookie, for the upstream: the app never sees the
   * session id. A cookie-pair is the gateway's when its name, without surrounding whitespace, is
   * exactly {@link #name()} (RFC 6265 §5.4 / 6265bis §5.7.4: names are case-sensitive, so {@code
   * Stepgate} or {@code stepgatex} is the app's), whatever its value. Each such pair goes with the
   * separator after it (or, for the last one, before it); every other byte stays as sent, so the
   * other cookies arrive byte for byte and in order.
   *
   * <p>Runs on every proxied request, so it scans once, in place: when the header holds no gateway
   * cookie it returns {@code cookieHeader} itself and allocates nothing.
   *
   * @return {@code cookieHeader} itself when it holds no gateway cookie; else what is left, empty
   *     when no other cookie is (then send no {@code Cookie} header)
   */
  public String removeFrom(String cookieHeader) {
    if (cookieHeader.indexOf(name) < 0) return cookieHeader; // the usual case, settled by one intrinsic
    int n = cookieHeader.length();
    StringBuilder out = null; // created at the first gateway pair
    int copied = 0; // cookieHeader[0, copied) is settled: in out, or dropped
    boolean kept = false;
    int keptEnd = 0; // length of out once it holds the last kept pair (and nothing after it)
    for (int start = 0; start < n; ) {
      int end = pairEnd(cookieHeader, start);
      int from = skipSpace(cookieHeader, start, end);
      int to = trimSpace(cookieHeader, from, end);
      if (from < to) {
        if (!ours(cookieHeader, from, to)) {
          kept = true;
          keptEnd = (out == null ? 0 : out.length()) + to - copied;
        } else {
          if (out == null) out = new StringBuilder(n);
          // Before the first kept pair everything goes; after one, keep up to this pair.
          out.append(cookieHeader, copied, kept ? from : copied);
          int next = nextPair(cookieHeader, end);
          if (next == n) out.setLength(keptEnd); // nothing follows: drop the separator before it too
          copied = next;
        }
      }
      start = end + 1;
    }
    if (out == null) return cookieHeader;
    if (!kept) return "";
    return out.append(cookieHeader, copied, n).toString();
  }

  /** Where the pair after the one ending at {@code end} starts (past separators and whitespace), or the end. */
  private static int nextPair(String header, int end) {
    int i = end;
    while (i < header.length() && (header.charAt(i) == ';' || isSpace(header.charAt(i)))) i++;
    return i;
  }

  /** True when the pair in {@code [from, to)} is named {@link #name()}: {@code name *WSP "=" ...}. */
  private boolean ours(String header, int from, int to) {
    if (to - from <= name.length() || !header.startsWith(name, from)) return false;
    int i = from + name.length();
    while (i < to && isSpace(header.charAt(i))) i++;
    return i < to && header.charAt(i) == '=';
  }

  private static int pairEnd(String header, int start) {
    int end = header.indexOf(';', start);
    return end < 0 ? header.length() : end;
  }

  private static int skipSpace(String s, int from, int to) {
    while (from < to && isSpace(s.charAt(from))) from++;
    return from;
  }

  private static int trimSpace(String s, int from, int to) {
    while (to > from && isSpace(s.charAt(to - 1))) to--;
    return to;
  }

  private static boolean isSpace(char c) {
    return c == ' ' || c == '\t';
  }

  /** Session ids are 256 bits, base64url without padding: 43 characters. */
  private static final int ID_LENGTH = 43;

  private static boolean isId(String s, int from, int to) {
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
        return false;
    }
    return true;
  }
}
