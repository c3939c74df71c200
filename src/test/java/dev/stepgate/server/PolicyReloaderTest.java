package dev.stepgate.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stepgate.policy.PolicyException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PolicyReloaderTest {
  static final String ONE = "version: 1\nrules: [{name: one, match: {paths: [/a]}, require: public}]\n";
  static final String TWO = "version: 1\nrules: [{name: two, match: {paths: [/a]}, require: deny}]\n";
  static final String BROKEN = "version: 1\nrules: [{name: two, match: {paths: [/a]}, require: mfa}]\n";

  @TempDir Path dir;

  @Test
  void reload_validChange_isAppliedWithinTwoSeconds() throws Exception {
    Path f = Files.writeString(dir.resolve("p.yaml"), ONE);
    try (PolicyReloader r = new PolicyReloader(dir, false)) {
      assertEquals("one", r.current().rules().get(0).name());
      Files.writeString(f, TWO);
      awaitTrue(() -> r.successfulReloads() == 1, Duration.ofSeconds(2));
      assertEquals("two", r.current().rules().get(0).name());
      assertEquals(Optional.empty(), r.lastError());
      assertEquals(0, r.failedReloads());
    }
  }

  @Test
  void reload_brokenChange_keepsLastGoodSetAndCountsOnce() throws Exception {
    Path f = Files.writeString(dir.resolve("p.yaml"), ONE);
    try (PolicyReloader r = new PolicyReloader(dir, false, Duration.ofMillis(50))) {
      Files.writeString(f, BROKEN);
      awaitTrue(() -> r.failedReloads() == 1, Duration.ofSeconds(2));
      Thread.sleep(300); // several more polls of the same broken content
      assertEquals(1, r.failedReloads());
      assertEquals("one", r.current().rules().get(0).name());
      assertEquals(Optional.of(f + ":2:52: rules[0].require: unknown value 'mfa'"
          + " (expected public, authenticated, step_up, deny)"), r.lastError());

      Files.writeString(f, TWO);
      awaitTrue(() -> r.successfulReloads() == 1, Duration.ofSeconds(2));
      assertEquals("two", r.current().rules().get(0).name());
      assertEquals(Optional.empty(), r.lastError());
    }
  }

  @Test
  void reload_filesRemoved_keepsLastGoodSet() throws Exception {
    Path f = Files.writeString(dir.resolve("p.yaml"), ONE);
    try (PolicyReloader r = new PolicyReloader(dir, false, Duration.ofMillis(50))) {
      Files.delete(f);
      awaitTrue(() -> r.failedReloads() == 1, Duration.ofSeconds(2));
      assertEquals("one", r.current().rules().get(0).name());
      assertTrue(r.lastError().orElseThrow().endsWith("no *.yaml or *.yml files in this directory"));
    }
  }

  @Test
  void constructor_brokenInitialSet_throws() throws Exception {
    Files.writeString(dir.resolve("p.yaml"), BROKEN);
    assertThrows(PolicyException.class, () -> new PolicyReloader(dir, false));
  }

  @Test
  void poll_revertToAppliedContent_clearsErrorWithoutReload() throws Exception {
    Path f = Files.writeString(dir.resolve("p.yaml"), ONE);
    try (PolicyReloader r = new PolicyReloader(dir, false, Duration.ofHours(1))) {
      Files.writeString(f, BROKEN);
      r.poll();
      assertEquals(1, r.failedReloads());
      Files.writeString(f, ONE);
      r.poll();
      assertEquals(Optional.empty(), r.lastError());
      assertEquals(0, r.successfulReloads());
    }
  }

  static void awaitTrue(BooleanSupplier condition, Duration within) throws InterruptedException {
    long deadline = System.nanoTime() + within.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) throw new AssertionError("not true within " + within);
      Thread.sleep(20);
    }
  }
}
