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
    for (var part : cookieHeader.split(";")) {
      var p = part.trim();
      if (p.startsWith(name + "=")) {
        var v = p.substring(name.length() + 1);
        if (v.length() == 43 && v.matches("[A-Za-z0-9_-]{43}")) return java.util.Optional.of(v);
      }
    }
    return java.util.Optional.empty();
  }
}
