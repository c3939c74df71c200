package dev.stepgate.bench;

import java.lang.management.ManagementFactory;

/**
 * Companion to {@link AssertionVerifyBenchmark} for shared, loaded machines: measures the
 * benchmark's operation by thread CPU time rather than wall time, so the result is per core of
 * CPU actually received. Run: {@code java -cp bench/jmh/target/benchmarks.jar:target/stepgate.jar
 * dev.stepgate.bench.AssertionVerifyCpuTime}.
 */
public final class AssertionVerifyCpuTime {
  private AssertionVerifyCpuTime() {}

  public static void main(String[] args) throws Exception {
    var mx = ManagementFactory.getThreadMXBean();
    for (var storage : new String[] {"tmpfs", "disk"}) {
      var b = new AssertionVerifyBenchmark();
      b.storage = storage;
      b.setUp();
      for (int i = 0; i < 3000; i++) b.verify();
      int n = 5000;
      long cpu0 = mx.getCurrentThreadCpuTime();
      long wall0 = System.nanoTime();
      for (int i = 0; i < n; i++) b.verify();
      long cpu = mx.getCurrentThreadCpuTime() - cpu0;
      long wall = System.nanoTime() - wall0;
      System.out.printf("storage=%s: %.0f us CPU per finishLogin = %.0f verifications/s per core (wall: %.0f/s)%n",
          storage, cpu / 1e3 / n, n / (cpu / 1e9), n / (wall / 1e9));
      b.tearDown();
    }
  }
}
