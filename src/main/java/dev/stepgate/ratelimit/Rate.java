package dev.stepgate.ratelimit;

import java.time.Duration;

/**
 * A limit as GCRA (the generic cell rate algorithm, ITU-T I.371) counts it: on average {@code
 * count} hits per {@code period}, and at most {@code burst} at once after a quiet spell. One hit is
 * earned back every {@code period / count}. Immutable; the invariants hold once it exists.
 *
 * @param count hits per period, at least 1
 * @param period the period, positive
 * @param burst hits allowed at once, at least 1
 */
public record Rate(int count, Duration period, int burst) {
  public Rate {
    if (count < 1) throw new IllegalArgumentException("count must be at least 1");
    if (period == null || period.isNegative() || period.isZero()) throw new IllegalArgumentException("period must be positive");
    if (burst < 1) throw new IllegalArgumentException("burst must be at least 1");
  }

  /** The emission interval: how long it takes to earn one hit back (at least 1 ms). */
  public long intervalMillis() {
    return Math.max(1, period.toMillis() / count);
  }

  /** How far ahead of now the theoretical arrival time may run: {@code burst} intervals. */
  long toleranceMillis() {
    return intervalMillis() * burst;
  }

  @Override
  public String toString() {
    return count + "/" + period + " burst " + burst;
  }
}
