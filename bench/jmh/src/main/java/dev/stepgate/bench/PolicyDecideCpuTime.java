package dev.stepgate.bench;

import java.lang.management.ManagementFactory;

/**
 * Companion to {@link PolicyDecideBenchmark} for shared, loaded machines: measures one decision
 * by thread CPU time rather than wall time, so other builds on the same cores do not inflate it.
 * Run: {@code java -cp bench/jmh/target/benchmarks.jar:target/stepgate.jar
 * dev.stepgate.bench.PolicyDecideCpuTime}.
 */
public final class PolicyDecideCpuTime {
  private PolicyDecideCpuTime() {}

  public static void main(String[] args) {
    var mx = ManagementFactory.getThreadMXBean();
    for (int round = 1; round <= 3; round++) {
      for (var subjects : new String[] {"none", "allow"}) {
        var b = new PolicyDecideBenchmark();
        b.rules = 10_000;
        b.subjects = subjects;
        b.setUp();
        Object sink = null;
        for (int i = 0; i < 2_000_000; i++) sink = b.decide();
        int n = 2_000_000;
        long cpu0 = mx.getCurrentThreadCpuTime();
        long wall0 = System.nanoTime();
        for (int i = 0; i < n; i++) sink = b.decide();
        long cpu = mx.getCurrentThreadCpuTime() - cpu0;
        long wall = System.nanoTime() - wall0;
        System.out.printf("round %d, rules=10000, subjects=%s: %.0f ns CPU per decide (wall %.0f ns)%s%n",
            round, subjects, (double) cpu / n, (double) wall / n, sink == null ? "!" : "");
      }
    }
  }
}
