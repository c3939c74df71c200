package dev.stepgate.ratelimit;

import java.time.Duration;
import java.util.concurrent.CompletionStage;

/**
 * Rate limits (SPEC section 9) as GCRA: per key, one number, the theoretical arrival time (TAT)
 * of the next hit; a hit is allowed while the TAT runs at most {@code burst} emission intervals
 * ahead of now, and an allowed hit moves it one interval on. Counted where every node sees it
 * ({@code sessions.driver: redis}) or in this process ({@code memory}). One backend per file, each
 * running {@code RateCounterContract}. A stage fails (never throws, never allows) when the backend
 * cannot answer; the caller then refuses (503), it does not let the request through.
 */
public interface RateCounter {

  /**
   * Counts one hit on {@code key} under {@code rate}. A refused hit changes nothing (a client
   * hammering past its limit does not push its own recovery further away). Atomic: of N concurrent
   * hits on a fresh key exactly {@code rate.burst()} are allowed, on any number of nodes.
   *
   * @throws IllegalArgumentException for a null key or rate
   */
  CompletionStage<Hit> hit(String key, Rate rate);

  /** What {@link #hit} would answer now, changing nothing (whether a key is locked). */
  CompletionStage<Hit> peek(String key, Rate rate);

  /**
   * What one hit found.
   *
   * @param allowed whether this hit is within the limit
   * @param remaining how many more hits would be allowed right now (0 when refused)
   * @param retryAfter when refused, how long until a hit is allowed again; else zero
   */
  record Hit(boolean allowed, int remaining, Duration retryAfter) {
    public Hit {
      if (remaining < 0) throw new IllegalArgumentException("remaining must not be negative");
      if (retryAfter == null || retryAfter.isNegative()) throw new IllegalArgumentException("retryAfter must not be negative");
    }
  }

  /** The argument checks every backend makes first. */
  static void check(String key, Rate rate) {
    if (key == null) throw new IllegalArgumentException("key must not be null");
    if (rate == null) throw new IllegalArgumentException("rate must not be null");
  }

  /**
   * GCRA at {@code now} for a key whose stored TAT is {@code storedTat} (null: none): the answer,
   * and the TAT to store when allowed. Both backends decide with this arithmetic (Redis in Lua).
   */
  static Step step(Long storedTat, long now, Rate rate) {
    long t = rate.intervalMillis();
    long tat = storedTat == null ? now : Math.max(storedTat, now);
    long next = tat + t;
    long ahead = next - now;
    long tolerance = rate.toleranceMillis();
    if (ahead > tolerance) return new Step(new Hit(false, 0, Duration.ofMillis(ahead - tolerance)), storedTat);
    return new Step(new Hit(true, (int) ((tolerance - ahead) / t), Duration.ZERO), next);
  }

  /** One GCRA step: the answer and the TAT after it (null: none stored). */
  record Step(Hit hit, Long tat) {}
}
