package dev.stepgate.observe;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The proxy's latency, split where the operator needs it split (SPEC section 9):
 * {@code stepgate_upstream_duration_seconds}, from the moment the request is with the upstream
 * connection to the upstream's response head, and {@code stepgate_gateway_duration_seconds}, the
 * gateway's own share before that: from the request head's arrival to the moment it is written
 * upstream (decision, header work, waiting for a pooled upstream connection).
 *
 * <p>On the relay's hot path: two {@link System#nanoTime()} pairs per exchange and two
 * pre-registered timers with a fixed, short bucket list (no percentiles computed in-process).
 */
public final class ProxyLatency {
  /** Latency metrics that go nowhere (tests, measurements without a registry). */
  public static final ProxyLatency NONE = new ProxyLatency(new SimpleMeterRegistry());

  private final Timer upstream;
  private final Timer gateway;

  public ProxyLatency(MeterRegistry metrics) {
    this.upstream = Timer.builder("stepgate.upstream.duration")
        .description("From the request written to the upstream to the upstream's response head")
        .serviceLevelObjectives(ms(1), ms(2.5), ms(5), ms(10), ms(25), ms(50), ms(100), ms(250), ms(500),
            ms(1000), ms(2500), ms(5000), ms(10000))
        .register(metrics);
    this.gateway = Timer.builder("stepgate.gateway.duration")
        .description("The gateway's own share: from the request head's arrival to the request written upstream")
        .serviceLevelObjectives(us(10), us(25), us(50), us(100), us(250), us(500), ms(1), ms(2.5), ms(5), ms(10),
            ms(25), ms(100))
        .register(metrics);
  }

  /**
   * One proxied exchange's times, all from {@link System#nanoTime()}.
   *
   * @param arrived the request head was read
   * @param sent the request head was written to the upstream
   * @param answered the upstream's response head arrived
   */
  public void exchange(long arrived, long sent, long answered) {
    gateway.record(sent - arrived, TimeUnit.NANOSECONDS);
    upstream.record(answered - sent, TimeUnit.NANOSECONDS);
  }

  /** Only the upstream's time (Vert.x's request path, whose own share Vert.x's metrics show). */
  public void upstream(long sent, long answered) {
    upstream.record(answered - sent, TimeUnit.NANOSECONDS);
  }

  private static Duration ms(double ms) {
    return Duration.ofNanos((long) (ms * 1_000_000));
  }

  private static Duration us(long us) {
    return Duration.ofNanos(us * 1_000);
  }
}
