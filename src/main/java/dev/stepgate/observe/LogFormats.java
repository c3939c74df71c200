package dev.stepgate.observe;

import dev.stepgate.audit.AuditLine;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.logging.Formatter;
import java.util.logging.Level;
import java.util.logging.LogRecord;

/**
 * The two log formats of {@code log.format}: {@code text} (one line, for people at a console; an
 * exception's stack follows it) and {@code json} (one object per line, for log shippers: {@code
 * ts}, {@code level}, {@code logger}, {@code msg}, {@code request_id} when known, a structured
 * record's own fields, and {@code error}, the exception's class only: its message and stack may
 * carry request data, and JSON logs leave the host).
 */
public final class LogFormats {
  private static final DateTimeFormatter TS = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'")
      .withZone(ZoneOffset.UTC);

  private LogFormats() {}

  /** One JSON object per line. */
  public static Formatter json() {
    return new Formatter() {
      @Override
      public String format(LogRecord r) {
        var out = new StringBuilder(160).append("{\"ts\":");
        AuditLine.jsonString(out, TS.format(Instant.ofEpochMilli(r.getMillis())));
        out.append(",\"level\":");
        AuditLine.jsonString(out, level(r.getLevel()));
        out.append(",\"logger\":");
        AuditLine.jsonString(out, r.getLoggerName() == null ? "" : r.getLoggerName());
        out.append(",\"msg\":");
        AuditLine.jsonString(out, formatMessage(r));
        if (r instanceof StructuredRecord s) {
          if (s.requestId() != null) {
            out.append(",\"request_id\":");
            AuditLine.jsonString(out, s.requestId());
          }
          for (var e : s.fields().entrySet()) {
            out.append(",");
            AuditLine.jsonString(out, e.getKey());
            out.append(':');
            var v = e.getValue();
            if (v instanceof Number || v instanceof Boolean) out.append(v);
            else AuditLine.jsonString(out, String.valueOf(v));
          }
        }
        if (r.getThrown() != null) {
          out.append(",\"error\":");
          AuditLine.jsonString(out, r.getThrown().getClass().getName());
        }
        return out.append("}\n").toString();
      }
    };
  }

  /** One line: time, level, logger, message, then a structured record's fields as {@code key=value}. */
  public static Formatter text() {
    return new Formatter() {
      @Override
      public String format(LogRecord r) {
        var out = new StringBuilder(120).append(TS.format(Instant.ofEpochMilli(r.getMillis()))).append(' ')
            .append(r.getLevel().getName()).append(' ').append(r.getLoggerName()).append(": ").append(formatMessage(r));
        if (r instanceof StructuredRecord s) {
          for (var e : s.fields().entrySet()) out.append(' ').append(e.getKey()).append('=').append(e.getValue());
          if (s.requestId() != null) out.append(" request_id=").append(s.requestId());
        }
        out.append('\n');
        if (r.getThrown() != null) { // for people at the console, as before: the stack
          var trace = new java.io.StringWriter();
          r.getThrown().printStackTrace(new java.io.PrintWriter(trace));
          out.append(trace);
        }
        return out.toString();
      }
    };
  }

  /** The level as operators' tools name it. */
  static String level(Level level) {
    int v = level.intValue();
    if (v >= Level.SEVERE.intValue()) return "error";
    if (v >= Level.WARNING.intValue()) return "warn";
    if (v >= Level.INFO.intValue()) return "info";
    if (v >= Level.FINE.intValue()) return "debug";
    return "trace";
  }
}
