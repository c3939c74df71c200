package dev.stepgate.observe;

import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * The proxy's latency, split where the operator needs it split (SPEC section 9):
 * {@code stepgate_upstream_duration_seconds}, from the moment the request is with the upstream
 * connection to the upstream's response head, and {@code stepgate_gateway_duration_seconds}, the
 * gateway's own share before that: from the request head's arrival to the moment it is written
 * upstream (decision, header work, waiting for a pooled upstream connection). Relayed requests
 * feed both; Vert.x's request path feeds the upstream's (its own share shows in Vert.x's
 * {@code vertx_http_server_response_time_seconds}).
 *
 * <p>On the relay's hot path: three {@link System#nanoTime()} calls per exchange and two
 * {@link LatencyHistogram} records (no clock read, nothing allocated).
 */
public final class ProxyLatency {
  /** Latency that goes nowhere (tests and measurements without a registry). */
  public static final ProxyLatency NONE = new ProxyLatency();

  private final LatencyHistogram upstream = new LatencyHistogram("stepgate_upstream_duration",
      "From the request written to the upstream to the upstream's response head",
      ms(1), ms(2.5), ms(5), ms(10), ms(25), ms(50), ms(100), ms(250), ms(500), ms(1000), ms(2500), ms(5000), ms(10000));
  private final LatencyHistogram gateway = new LatencyHistogram("stepgate_gateway_duration",
      "The gateway's own share: from the request head's arrival to the request written upstream",
      us(10), us(25), us(50), us(100), us(250), us(500), ms(1), ms(2.5), ms(5), ms(10), ms(25), ms(100));

  private ProxyLatency() {}

  /** Histograms published on {@code registry} (the Prometheus registry {@code /metrics} scrapes). */
  public ProxyLatency(PrometheusRegistry registry) {
    upstream.register(registry);
    gateway.register(registry);
  }

  /**
   * One relayed exchange's times, all from {@link System#nanoTime()}.
   *
   * @param arrived the request head was read
   * @param sent the request head was written to the upstream
   * @param answered the upstream's response head arrived
   */
  public void exchange(long arrived, long sent, long answered) {
    gateway.record(sent - arrived);
    upstream.record(answered - sent);
  }

  /** Only the upstream's time (Vert.x's request path). */
  public void upstream(long sent, long answered) {
    upstream.record(answered - sent);
  }

  private static long ms(double ms) {
    return (long) (ms * 1_000_000);
  }

  private static long us(long us) {
    return us * 1_000;
  }
}
