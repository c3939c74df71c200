package dev.stepgate.observe;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;

/**
 * Bolt-on mode's questions to the app (SPEC section 8): {@code stepgate_whoami_total{outcome}}
 * ({@code user}, {@code nobody}, {@code failed}) and {@code stepgate_whoami_seconds}, the time the
 * app took to answer. Cached answers are not questions and are not counted.
 */
public final class WhoamiMetrics {
  /** What one question came to. */
  public enum Outcome { USER, NOBODY, FAILED }

  private final Map<Outcome, Counter> outcomes;
  private final Timer latency;

  public WhoamiMetrics(MeterRegistry metrics) {
    var m = new java.util.EnumMap<Outcome, Counter>(Outcome.class);
    for (var o : Outcome.values())
      m.put(o, Counter.builder("stepgate.whoami").tag("outcome", o.name().toLowerCase(java.util.Locale.ROOT))
          .description("Questions to the app's whoami endpoint, by what they came to").register(metrics));
    this.outcomes = m;
    this.latency = Timer.builder("stepgate.whoami.latency").description("How long the app's whoami endpoint took to answer")
        .publishPercentileHistogram().register(metrics);
  }

  public void asked(Outcome outcome, Duration took) {
    outcomes.get(outcome).increment();
    latency.record(took);
  }
}
