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
