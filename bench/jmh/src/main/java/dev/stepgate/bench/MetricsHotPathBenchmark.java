package dev.stepgate.bench;

import dev.stepgate.admission.EntryPoint;
import dev.stepgate.observe.AccessLog;
import dev.stepgate.observe.DecisionMetrics;
import dev.stepgate.observe.ProxyLatency;
import dev.stepgate.policy.AuthState;
import dev.stepgate.policy.Decision;
import dev.stepgate.policy.PolicyParser;
import dev.stepgate.policy.PolicyRequest;
import dev.stepgate.policy.PolicySet;
import dev.stepgate.policy.PolicySource;
import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * What the metrics of issue 14 add to each relayed request, on a Prometheus registry as the
 * gateway runs it: {@code before} is the old decision counter (one pre-registered counter per
 * decision kind); {@code decisionByRule} the new {@code stepgate_decisions_total{rule,decision}}
 * (the rule's counters found by {@code RuleMeters}); {@code relayAdded} everything the relay now
 * does per exchange: that, three {@code System.nanoTime()} calls, the two latency timers and the
 * request log's level check.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class MetricsHotPathBenchmark {
  @Param({"10", "200"})
  int rules;

  private DecisionMetrics metrics;
  private ProxyLatency latency;
  private Decision decision;
  private Counter oldAllow;

  @Setup
  public void setUp() {
    var yaml = "version: 1\ndefaults: { require: public }\nrules:\n" + IntStream.range(0, rules)
        .mapToObj(i -> "  - { name: rule-" + i + ", match: { paths: [\"/r" + i + "/**\"] }, require: authenticated }\n")
        .collect(Collectors.joining());
    PolicySet set = PolicyParser.parse(List.of(new PolicySource("bench.yaml", yaml)), false);
    var registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    metrics = new DecisionMetrics(registry, () -> set, List.of());
    latency = new ProxyLatency(registry.getPrometheusRegistry());
    oldAllow = registry.counter("stepgate.old.decisions", "decision", "allow");
    decision = set.decide(new PolicyRequest("GET", "h", "/r" + (rules / 2) + "/x"),
        AuthState.signedIn("u", Instant.EPOCH, Instant.EPOCH));
    if (!(decision instanceof Decision.Allow)) throw new IllegalStateException(decision.toString());
  }

  @Benchmark
  public void before() {
    if (decision instanceof Decision.Allow) oldAllow.increment();
  }

  @Benchmark
  public void decisionByRule() {
    metrics.decided(decision, EntryPoint.RELAY);
  }

  @Benchmark
  public boolean relayAdded() {
    long arrived = System.nanoTime();
    metrics.decided(decision, EntryPoint.RELAY);
    long sent = System.nanoTime();
    latency.exchange(arrived, sent, System.nanoTime());
    return AccessLog.enabled();
  }
}
