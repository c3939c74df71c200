package dev.stepgate.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;

class LatencyHistogramTest {
  @Test
  void record_isScrapedAsACumulativeHistogramInSeconds() {
    var registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    var h = new LatencyHistogram("test_duration", "test", 1_000_000, 10_000_000);
    h.register(registry.getPrometheusRegistry());
    h.record(500_000);     // <= 1 ms
    h.record(1_000_000);   // <= 1 ms (bounds are inclusive, as Prometheus's le)
    h.record(5_000_000);   // <= 10 ms
    h.record(50_000_000);  // +Inf
    h.record(-5);          // a clock step back: 0
    var text = registry.scrape();
    assertTrue(text.contains("# TYPE test_duration_seconds histogram"), text);
    assertTrue(text.contains("test_duration_seconds_bucket{le=\"0.001\"} 3\n"), text);
    assertTrue(text.contains("test_duration_seconds_bucket{le=\"0.01\"} 4\n"), text);
    assertTrue(text.contains("test_duration_seconds_bucket{le=\"+Inf\"} 5\n"), text);
    assertTrue(text.contains("test_duration_seconds_count 5\n"), text);
    assertTrue(text.contains("test_duration_seconds_sum 0.0565\n"), text);
    assertEquals(5, h.count());
  }
}
