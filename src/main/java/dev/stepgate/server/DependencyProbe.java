package dev.stepgate.server;

import dev.stepgate.observe.DependencyHealth;
import dev.stepgate.observe.StoreErrors;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.logging.Logger;

/**
 * Probes the gateway's shared dependencies once per {@link #INTERVAL}: each probe is scheduled
 * only after the previous one finished (a hung server never piles probes up), and each is bounded
 * by its own timeout. A change of state is logged once (down, with the reason; up again, with how
 * long it lasted); {@code stepgate_dependency_up{dependency}} is 1 or 0. Only a running gateway
 * probes: the admin commands open the same backends and never start this.
 */
final class DependencyProbe implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(DependencyProbe.class.getName());

  static final Duration INTERVAL = Duration.ofSeconds(1);
  /** Bound of one probe: shorter than the stores' own call bounds, so "down" shows first here. */
  static final Duration TIMEOUT = Duration.ofSeconds(1);

  private final Vertx vertx;
  private final List<DependencyHealth> dependencies;
  private final long intervalMs;
  private final StoreErrors errors;
  private volatile boolean closed;

  private DependencyProbe(Vertx vertx, List<DependencyHealth> dependencies, Duration interval, StoreErrors errors) {
    this.errors = errors;
    this.vertx = vertx;
    this.dependencies = List.copyOf(dependencies);
    this.intervalMs = interval.toMillis();
  }

  /** Registers the gauges and starts probing each of {@code dependencies} now, then every {@code interval}. */
  static DependencyProbe start(Vertx vertx, MeterRegistry registry, List<DependencyHealth> dependencies, Duration interval) {
    return start(vertx, registry, dependencies, interval, new StoreErrors(registry));
  }

  /** As above, counting each failed probe in {@code errors}. */
  static DependencyProbe start(Vertx vertx, MeterRegistry registry, List<DependencyHealth> dependencies, Duration interval,
      StoreErrors errors) {
    var probe = new DependencyProbe(vertx, dependencies, interval, errors);
    for (var d : probe.dependencies) {
      Gauge.builder("stepgate.dependency.up", d, DependencyHealth::up).tag("dependency", d.name())
          .description("1 while the last probe of this dependency answered, else 0").register(registry);
      probe.next(d, 0);
    }
    return probe;
  }

  private void next(DependencyHealth d, long delayMs) {
    if (closed) return;
    Runnable run = () -> {
      var before = d.last();
      d.probe().whenComplete((now, err) -> {
        if (now != null && now.state() != before.state()) logChange(d, before, now);
        if (now != null && now.state() == DependencyHealth.State.DOWN) errors.failed(StoreErrors.Dependency.named(d.name()));
        next(d, intervalMs);
      });
    };
    if (delayMs <= 0) {
      run.run();
      return;
    }
    try {
      vertx.setTimer(delayMs, id -> run.run());
    } catch (IllegalStateException | java.util.concurrent.RejectedExecutionException e) {
      // The gateway's Vert.x is closing: so is this probe.
    }
  }

  private static void logChange(DependencyHealth d, DependencyHealth.Observation before, DependencyHealth.Observation now) {
    var what = d.name() + " (" + d.driver() + ")";
    switch (now.state()) {
      case DOWN -> LOG.warning(what + " is not answering: " + now.reason().orElse("unknown")
          + "; what needs it answers 503 until it is back");
      case OK -> {
        if (before.state() == DependencyHealth.State.DOWN)
          LOG.info(what + " answers again after " + Duration.between(before.since(), now.since()).toMillis() + " ms");
      }
      case UNKNOWN -> {}
    }
  }

  @Override
  public void close() {
    closed = true;
  }
}
