package dev.stepgate.observe;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.LogRecord;

/**
 * A log record with fields of its own and the request it is about, which {@link LogFormats#json()}
 * writes as keys ({@code request_id} among them) and {@link LogFormats#text()} as {@code
 * key=value}. Values are never secrets: callers put in only what may be logged.
 */
public final class StructuredRecord extends LogRecord {
  private static final long serialVersionUID = 1L;
  private final transient Map<String, Object> fields;
  private final String requestId;

  /** @param requestId the request's id, or null */
  public StructuredRecord(Level level, String message, Map<String, Object> fields, String requestId) {
    super(level, message);
    this.fields = Collections.unmodifiableMap(new LinkedHashMap<>(fields));
    this.requestId = requestId;
  }

  /** The fields, in the order they were given. */
  public Map<String, Object> fields() {
    return fields;
  }

  /** The request this record is about, or null. */
  public String requestId() {
    return requestId;
  }
}
