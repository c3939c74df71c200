package dev.stepgate.observe;

import dev.stepgate.policy.Decision;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One line per request at {@code FINE} ({@code log.level: debug}) on logger {@value #NAME}:
 * method, canonical path, status, rule, decision, duration and request id. Never a query string,
 * a header, a cookie or a body: the path is the canonical policy path, which carries none.
 * Callers check {@link #enabled()} first, so a gateway logging at {@code INFO} pays one level
 * check per request and builds nothing.
 */
public final class AccessLog {
  public static final String NAME = "dev.stepgate.access";
  private static final Logger LOG = Logger.getLogger(NAME);

  private AccessLog() {}

  /** Whether request lines are logged now. */
  public static boolean enabled() {
    return LOG.isLoggable(Level.FINE);
  }

  /** The decision's label, as in {@code stepgate_decisions_total}. */
  public static String decision(Decision d) {
    if (d instanceof Decision.Allow) return "allow";
    if (d instanceof Decision.Login) return "login";
    if (d instanceof Decision.StepUp) return "step_up";
    return "deny";
  }

  /**
   * Logs one request.
   *
   * @param rule the deciding rule, or null for the gateway's own paths and requests refused before the policy
   * @param decision as {@link #decision(Decision)}, or null with {@code rule}
   * @param requestId the request's id, or null when it has none
   */
  public static void request(String method, String path, int status, String rule, String decision, long durationNanos,
      String requestId) {
    var fields = new LinkedHashMap<String, Object>();
    fields.put("method", method);
    fields.put("path", path);
    fields.put("status", status);
    if (rule != null) fields.put("rule", rule);
    if (decision != null) fields.put("decision", decision);
    fields.put("duration_ms", TimeUnit.NANOSECONDS.toMicros(durationNanos) / 1000.0);
    var record = new StructuredRecord(Level.FINE, "request", fields, requestId);
    record.setLoggerName(NAME);
    LOG.log(record);
  }
}
