package dev.stepgate.observe;

import java.util.Locale;

/**
 * The caller's platform for the rollout funnel (SPEC section 9), coarse on purpose: passkey
 * support and failure modes differ by operating system (its platform authenticator and sync
 * keychain), not by browser version. Anything not recognised is {@link #OTHER}; the label set is
 * fixed, so a crafted User-Agent cannot grow the metrics.
 */
public enum Platform {
  IOS, ANDROID, MACOS, WINDOWS, LINUX, CHROMEOS, OTHER;

  /** The Prometheus label value. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** How a person reads it ("macOS", "iOS"), as the account page lists sessions. */
  public String displayName() {
    return switch (this) {
      case IOS -> "iOS";
      case ANDROID -> "Android";
      case MACOS -> "macOS";
      case WINDOWS -> "Windows";
      case LINUX -> "Linux";
      case CHROMEOS -> "ChromeOS";
      case OTHER -> "Other";
    };
  }

  /** Longest User-Agent looked at: the tokens that matter come first, and a huge header costs nothing. */
  static final int MAX_LOOKED_AT = 512;

  /**
   * The platform a User-Agent names. Order matters: iPadOS in desktop mode says "Macintosh" but
   * not touch, so an iPad that hides is counted as macOS (nothing in the header tells them
   * apart); Android says "Linux"; ChromeOS says "CrOS" and "X11; Linux" on some builds.
   */
  public static Platform fromUserAgent(String userAgent) {
    if (userAgent == null || userAgent.isEmpty()) return OTHER;
    var ua = userAgent.length() > MAX_LOOKED_AT ? userAgent.substring(0, MAX_LOOKED_AT) : userAgent;
    if (ua.contains("iPhone") || ua.contains("iPad") || ua.contains("iPod")) return IOS;
    if (ua.contains("Android")) return ANDROID;
    if (ua.contains("CrOS")) return CHROMEOS;
    if (ua.contains("Windows")) return WINDOWS;
    if (ua.contains("Macintosh") || ua.contains("Mac OS X")) return MACOS;
    if (ua.contains("Linux") || ua.contains("X11")) return LINUX;
    return OTHER;
  }
}
