package dev.stepgate.observe;

/**
 * The browser a User-Agent names, coarse on purpose, for the account page's list of sessions
 * ("Firefox on macOS"): a fixed set of names, so nothing a client sends is ever shown as it is.
 * Unrecognised is {@link #OTHER}.
 */
public enum Browser {
  EDGE("Edge"), OPERA("Opera"), SAMSUNG_INTERNET("Samsung Internet"), FIREFOX("Firefox"), CHROME("Chrome"),
  SAFARI("Safari"), OTHER("Other");

  private final String displayName;

  Browser(String displayName) {
    this.displayName = displayName;
  }

  public String displayName() {
    return displayName;
  }

  /**
   * The browser a User-Agent names. Order matters: Edge, Opera and Samsung Internet also say
   * "Chrome"; Chrome and Firefox on iOS say "CriOS" / "FxiOS" and "Safari"; Safari alone says
   * "Version/... Safari/".
   */
  public static Browser fromUserAgent(String userAgent) {
    if (userAgent == null || userAgent.isEmpty()) return OTHER;
    var ua = userAgent.length() > Platform.MAX_LOOKED_AT ? userAgent.substring(0, Platform.MAX_LOOKED_AT) : userAgent;
    if (ua.contains("Edg/") || ua.contains("EdgA/") || ua.contains("EdgiOS/")) return EDGE;
    if (ua.contains("OPR/") || ua.contains("OPiOS/")) return OPERA;
    if (ua.contains("SamsungBrowser/")) return SAMSUNG_INTERNET;
    if (ua.contains("Firefox/") || ua.contains("FxiOS/")) return FIREFOX;
    if (ua.contains("Chrome/") || ua.contains("CriOS/") || ua.contains("Chromium/")) return CHROME;
    if (ua.contains("Safari/") && ua.contains("Version/")) return SAFARI;
    return OTHER;
  }
}
