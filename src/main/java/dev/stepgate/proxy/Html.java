package dev.stepgate.proxy;

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

  /** A whole page without script (error pages). {@code body} is HTML built with {@link #esc}. */
  public static String page(String title, String body, String script) {
    return page(title, null, java.util.Map.of(), body);
  }

  /**
   * A whole page in the gateway's look. {@code body} is trusted HTML built by the caller with
   * {@link #esc}. When {@code kind} is set, the page script runs and reads {@code data} from
   * {@code <main data-*>} (no inline script: the pages' CSP forbids it).
   */
  public static String page(String title, String kind, java.util.Map<String, String> data, String body) {
    var attrs = new StringBuilder();
    if (kind != null) attrs.append(" data-page=\"").append(esc(kind)).append('"');
    data.forEach((k, v) -> {
      if (v != null) attrs.append(" data-").append(k).append("=\"").append(esc(v)).append('"');
    });
    return "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        + "<title>" + esc(title) + " \u00b7 stepgate</title>"
        + "<link rel=\"stylesheet\" href=\"/.stepgate/static/stepgate.css\">"
        + "<link rel=\"icon\" href=\"data:,\">"
        + "</head><body><main class=\"card\"" + attrs + ">"
        + body
        + "</main>"
        + (kind == null ? "" : "<script src=\"/.stepgate/static/stepgate.js\" defer></script>")
        + "</body></html>\n";
  }
}
