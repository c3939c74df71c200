package dev.stepgate.ui;

/** Minimal, safe HTML building: every dynamic value goes through {@link #esc}. */
public final class Html {
  private Html() {}

  /** Escapes text for HTML element content and double-quoted attributes. */
  public static String esc(String s) {
    if (s == null) return "";
    var out = new StringBuilder(s.length() + 16);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '&' -> out.append("&amp;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&#39;");
        default -> out.append(c);
      }
    }
    return out.toString();
  }

  /**
   * A whole page in the gateway's look. {@code body} is trusted HTML built by the caller with
   * {@link #esc}; {@code script} is the path of a gateway script or null.
   */
  public static String page(String title, String body, String script) {
    return "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        + "<title>" + esc(title) + " · stepgate</title>"
        + "<link rel=\"stylesheet\" href=\"/.stepgate/static/stepgate.css\">"
        + "<link rel=\"icon\" href=\"data:,\">"
        + "</head><body><main class=\"card\">"
        + body
        + "</main>"
        + (script == null ? "" : "<script src=\"" + esc(script) + "\" defer></script>")
        + "</body></html>\n";
  }
}
