package dev.stepgate.observe;

import dev.stepgate.Async;
import dev.stepgate.StepgateException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * What the last probe of one dependency (the credential storage, the session store) found: up or
 * down, since when, and, when down, a short reason that never carries a message (a driver's
 * message may name a host, a user or a URL). Written by one probe, read by {@code readyz} and
 * the metrics from any thread.
 */
public final class DependencyHealth {
  /** The probe's verdict. */
  public enum State {
    /** Not probed yet: the node has just started. */
    UNKNOWN,
    OK,
    DOWN
  }

  /** One observation, published whole so a reader never sees a state with another's time. */
  public record Observation(State state, Instant since, Optional<String> reason) {}

  private final String name;
  private final String driver;
  private final Supplier<CompletionStage<Void>> ping;
  private final Duration timeout;
  private final Clock clock;
  private volatile Observation last;

  /**
   * @param name what readiness calls it ({@code storage}, {@code sessions})
   * @param driver the configured driver, shown beside the state
   * @param ping one round trip through the dependency; a stage that has not completed within
   *     {@code timeout} counts as down
   */
  public DependencyHealth(String name, String driver, Supplier<CompletionStage<Void>> ping, Duration timeout, Clock clock) {
    this.name = name;
    this.driver = driver;
    this.ping = ping;
    this.timeout = timeout;
    this.clock = clock;
    this.last = new Observation(State.UNKNOWN, clock.instant(), Optional.empty());
  }

  public String name() {
    return name;
  }

  public String driver() {
    return driver;
  }

  public Observation last() {
    return last;
  }

  /** 1 while the last probe succeeded, else 0 (for a gauge). */
  public double up() {
    return last.state() == State.OK ? 1 : 0;
  }

  /**
   * Runs one probe and records its outcome; the returned stage completes (never fails) once it
   * is recorded, at most {@code timeout} later.
   */
  public CompletionStage<Observation> probe() {
    return Async.attempt(ping).toCompletableFuture().copy().orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .handle((ok, err) -> record(err == null ? State.OK : State.DOWN, err == null ? Optional.empty() : Optional.of(reason(err))));
  }

  private synchronized Observation record(State state, Optional<String> reason) {
    var before = last;
    // "since" is when the state last changed, so it tells how long an outage has lasted.
    var next = new Observation(state, before.state() == state ? before.since() : clock.instant(), reason);
    last = next;
    return next;
  }

  /** A stable, message-free reason: the problem type for our own failures, else the cause's class. */
  static String reason(Throwable err) {
    var c = Async.cause(err);
    if (c instanceof TimeoutException) return "timeout";
    if (c instanceof StepgateException s) {
      var inner = s.getCause();
      return inner == null ? s.type() : s.type() + " (" + (inner instanceof TimeoutException ? "timeout"
          : inner.getClass().getSimpleName()) + ")";
    }
    return c.getClass().getSimpleName();
  }
}
