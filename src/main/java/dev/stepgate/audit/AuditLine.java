package dev.stepgate.audit;


import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * The text of one audit line (SPEC section 9): a JSON object with {@code ts} (ISO-8601, UTC),
 * {@code event}, {@code user}, {@code sid}, {@code request_id}, {@code ip}, {@code platform} (each
 * always present, {@code null} when unknown, so every line has the same fixed keys), then the
 * event's own fields, all strings. No line break inside: one event, one line.
 */
public final class AuditLine {
  private AuditLine() {}

  /** {@code entry}, which happened at {@code ts}, as one line without its line break. */
  public static String of(Instant ts, AuditEntry entry) {
    var out = new StringBuilder(160);
    out.append("{\"ts\":");
    string(out, ts.toString());
    field(out, "event", Optional.of(entry.event()));
    field(out, "user", entry.user());
    field(out, "sid", entry.sid());
    field(out, "request_id", entry.requestId());
    field(out, "ip", entry.ip());
    field(out, "platform", entry.platform());
    for (Map.Entry<String, String> f : entry.fields().entrySet()) field(out, f.getKey(), Optional.ofNullable(f.getValue()));
    return out.append('}').toString();
  }

  private static void field(StringBuilder out, String name, Optional<String> value) {
    out.append(',');
    string(out, name);
    out.append(':');
    if (value.isEmpty()) out.append("null");
    else string(out, value.get());
  }

  static void string(StringBuilder out, String s) {
    jsonString(out, s);
  }

  /**
   * A JSON string (RFC 8259 §7): quote, backslash, every control character, U+2028/2029 and a
   * lone surrogate escaped, so no value can end a log or audit line or make it invalid UTF-8.
   */
  public static void jsonString(StringBuilder out, String s) {
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          // U+2028/2029 too: some log readers split lines on them.
          if (c < 0x20 || c == 0x2028 || c == 0x2029 || Character.isSurrogate(c) && !validPair(s, i))
            out.append(String.format("\\u%04x", (int) c));
          else out.append(c);
        }
      }
    }
    out.append('"');
  }

  private static boolean validPair(String s, int i) {
    char c = s.charAt(i);
    if (Character.isHighSurrogate(c)) return i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
    return i > 0 && Character.isHighSurrogate(s.charAt(i - 1));
  }
}
