package dev.stepgate.observe;

import io.prometheus.metrics.model.registry.Collector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.Unit;
import java.util.concurrent.atomic.LongAdder;

/**
 * A Prometheus classic histogram in seconds, recorded in nanoseconds for the relay's hot path: a
 * linear scan over a dozen bounds and two {@link LongAdder} additions, nothing allocated and no
 * clock read. Micrometer's {@code Timer} with the same buckets costs several times as much per
 * record (a time-window max and a rotating histogram, each reading the wall clock), which the
 * relay would pay twice per request; its buckets are summed only when {@code /metrics} is scraped.
 */
final class LatencyHistogram implements Collector {
  private final String name;
  private final String help;
  private final long[] boundsNanos;
  private final double[] boundsSeconds;
  private final LongAdder[] counts;
  private final LongAdder sumNanos = new LongAdder();

  /** @param name the Prometheus name without its unit, e.g. {@code stepgate_upstream_duration} */
  LatencyHistogram(String name, String help, long... boundsNanos) {
    this.name = name;
    this.help = help;
    this.boundsNanos = boundsNanos.clone();
    this.boundsSeconds = new double[boundsNanos.length];
    for (int i = 0; i < boundsNanos.length; i++) {
      if (i > 0 && boundsNanos[i] <= boundsNanos[i - 1]) throw new IllegalArgumentException("bounds must increase");
      boundsSeconds[i] = boundsNanos[i] / 1e9;
    }
    this.counts = new LongAdder[boundsNanos.length + 1]; // the last: above every bound (+Inf)
    for (int i = 0; i < counts.length; i++) counts[i] = new LongAdder();
  }

  void register(PrometheusRegistry registry) {
    registry.register(this);
  }

  /** Records one duration; a negative one (a clock that stepped back) counts as 0. */
  void record(long nanos) {
    long n = Math.max(0, nanos);
    int i = 0;
    while (i < boundsNanos.length && n > boundsNanos[i]) i++;
    counts[i].increment();
    sumNanos.add(n);
  }

  long count() {
    long c = 0;
    for (var a : counts) c += a.sum();
    return c;
  }

  @Override
  public MetricSnapshot collect() {
    // Counts per bucket: the exposition adds them up into Prometheus's cumulative le buckets.
    var buckets = ClassicHistogramBuckets.builder();
    for (int i = 0; i < boundsSeconds.length; i++) buckets.bucket(boundsSeconds[i], counts[i].sum());
    buckets.bucket(Double.POSITIVE_INFINITY, counts[boundsSeconds.length].sum());
    return HistogramSnapshot.builder().name(name + "_seconds").help(help).unit(Unit.SECONDS)
        .dataPoint(HistogramSnapshot.HistogramDataPointSnapshot.builder()
            .classicHistogramBuckets(buckets.build()).sum(sumNanos.sum() / 1e9).build())
        .build();
  }

  @Override
  public String getPrometheusName() {
    return name + "_seconds";
  }
}
