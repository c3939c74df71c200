package dev.stepgate.admission;

/**
 * Where to send the browser after sign-in or step-up ({@code rd=}). Only same-origin relative
 * paths are accepted (SPEC section 4); anything else becomes {@code /}, so the gateway can never
 * be used as an open redirect.
 */
public final class ReturnTarget {
  private ReturnTarget() {}

  public static String safe(String rd) {
    if (rd == null || rd.isEmpty() || rd.length() > 2048) return "/";
    if (rd.charAt(0) != '/' || rd.startsWith("//") || rd.startsWith("/\\")) return "/";
    for (int i = 0; i < rd.length(); i++) {
      char c = rd.charAt(i);
      if (c < 0x21 || c >= 0x7F || c == '\\') return "/";
    }
    int q = rd.indexOf('?');
    try {
      var path = CanonicalPath.of(q < 0 ? rd : rd.substring(0, q));
      return q < 0 ? path.value() : path.value() + rd.substring(q);
    } catch (RequestRejected e) {
      return "/";
    }
  }
}
