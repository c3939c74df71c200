package dev.stepgate.observe;

import dev.stepgate.ratelimit.Limiter;
import dev.stepgate.ratelimit.RateLimitListener;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.Map;

/** {@code stepgate_rate_limited_total{endpoint}}: every request a rate limit refused. */
public final class RateLimitMetrics implements RateLimitListener {
  // One counter per endpoint, registered up front: no lookup by name and tags per refusal, and
  // every series shows at 0 before the first one.
  private final Map<Limiter.Endpoint, Counter> limited = new EnumMap<>(Limiter.Endpoint.class);

  public RateLimitMetrics(MeterRegistry metrics) {
    for (var e : Limiter.Endpoint.values())
      limited.put(e, Counter.builder("stepgate.rate.limited").tag("endpoint", e.label())
          .description("Requests refused by a rate limit (429)").register(metrics));
  }

  @Override
  public void limited(Limiter.Endpoint endpoint) {
    limited.get(endpoint).increment();
  }
}
