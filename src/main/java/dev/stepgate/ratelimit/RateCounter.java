package dev.stepgate.ratelimit;

import java.time.Duration;
import java.util.concurrent.CompletionStage;

/**
 * Shared counters for rate limits (SPEC section 9): fixed windows per key, counted where every
 * node sees them ({@code sessions.driver: redis}) or in this process ({@code memory}). One backend
 * per file, each running {@code RateCounterContract}. A stage fails (never throws, never allows)
 * when the backend cannot answer; the caller then refuses, it does not let the request through.
 */
public interface RateCounter {

  /**
   * Counts one hit on {@code key} in its current window of {@code window}, which begins at the
   * first hit after the previous window ended; the hit is allowed while the window holds at most
   * {@code limit} hits. Atomic: of N concurrent hits on a fresh key exactly {@code limit} are
   * allowed, on any number of nodes.
   *
   * @throws IllegalArgumentException for a null key, a window that is not positive or a limit below 1
   */
  CompletionStage<Hit> hit(String key, Duration window, int limit);

  /**
   * What one hit found.
   *
   * @param allowed whether this hit is within the limit
   * @param remaining how many more hits this window allows (0 when refused)
   * @param retryAfter how long until the window ends (a {@code Retry-After} when refused)
   */
  record Hit(boolean allowed, int remaining, Duration retryAfter) {
    public Hit {
      if (remaining < 0) throw new IllegalArgumentException("remaining must not be negative");
      if (retryAfter == null || retryAfter.isNegative()) throw new IllegalArgumentException("retryAfter must not be negative");
    }
  }

  /** The argument checks every backend makes first. */
  static void check(String key, Duration window, int limit) {
    if (key == null) throw new IllegalArgumentException("key must not be null");
    if (window == null || window.isNegative() || window.isZero()) throw new IllegalArgumentException("window must be positive");
    if (limit < 1) throw new IllegalArgumentException("limit must be at least 1");
  }

  /** The answer for the {@code count}th hit of a window with {@code left} to run. */
  static Hit hitFor(long count, int limit, Duration left) {
    return new Hit(count <= limit, (int) Math.max(0, limit - count), left.isNegative() ? Duration.ZERO : left);
  }
}
