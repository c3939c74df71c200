package dev.stepgate.observe;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Logs a recurring failure at most once per key per window, with how many were left out since
 * the last line: an outage of a shared store turns every request into the same 503, and a log
 * line per request would drown everything else (and fill the disk of every node at once).
 */
public final class LogThrottle {
  /** Keys held at most: the keys are problem types, a small fixed set; this only bounds a bug. */
  static final int MAX_KEYS = 256;

  private final Logger log;
  private final long windowNanos;
  private final LongSupplier nanoTime;
  private final ConcurrentHashMap<String, Slot> slots = new ConcurrentHashMap<>();

  private static final class Slot {
    final AtomicLong nextAt = new AtomicLong(Long.MIN_VALUE);
    final AtomicLong suppressed = new AtomicLong();
  }

  public LogThrottle(Logger log, Duration window) {
    this(log, window, System::nanoTime);
  }

  LogThrottle(Logger log, Duration window, LongSupplier nanoTime) {
    this.log = log;
    this.windowNanos = window.toNanos();
    this.nanoTime = nanoTime;
  }

  /** The window of the request-failure lines: an outage logs one line per place and cause per window. */
  public static final Duration FAILURE_WINDOW = Duration.ofSeconds(10);

  /**
   * The warning for a request answered 503 because {@code what} failed (a store down or full):
   * names the cause's class (never its message) and the request id of the first request of the
   * window, so it can be found in the access log.
   */
  public void answered503(String what, Throwable failure, String requestId) {
    var cause = dev.stepgate.Async.cause(failure).getClass().getName();
    log(Level.WARNING, what + "|" + cause, what + " failed (" + cause + "), request " + requestId + ": answered 503", requestId);
  }

  /**
   * Logs {@code message} at {@code level} unless a line for {@code key} was logged within the
   * window; then it is only counted, and the next line says how many were left out.
   *
   * @return whether it was logged
   */
  public boolean log(Level level, String key, String message) {
    return log(level, key, message, null);
  }

  /** As {@link #log(Level, String, String)}, about the request {@code requestId} (null: none), which the JSON format names. */
  public boolean log(Level level, String key, String message, String requestId) {
    if (!log.isLoggable(level)) return false;
    var slot = slots.get(key);
    if (slot == null) {
      if (slots.size() >= MAX_KEYS) slots.clear();
      slot = slots.computeIfAbsent(key, k -> new Slot());
    }
    long now = nanoTime.getAsLong();
    long next = slot.nextAt.get();
    if (next != Long.MIN_VALUE && now - next < 0) {
      slot.suppressed.incrementAndGet();
      return false;
    }
    if (!slot.nextAt.compareAndSet(next, now + windowNanos)) {
      slot.suppressed.incrementAndGet(); // another thread logged this window's line
      return false;
    }
    long left = slot.suppressed.getAndSet(0);
    var record = new StructuredRecord(level, left == 0 ? message : message + " (and " + left
        + " more like it since the last such line)", java.util.Map.of(), requestId);
    record.setLoggerName(log.getName());
    log.log(record);
    return true;
  }
}
