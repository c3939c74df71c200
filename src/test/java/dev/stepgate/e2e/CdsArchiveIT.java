package dev.stepgate.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The build's class-data-sharing archive ({@code target/stepgate.jsa}, made at package time by a
 * training run of the jar) maps for the jar it was made with: {@code -Xshare:on} refuses to start
 * when it cannot, so a stale or broken archive fails here rather than silently costing start-up.
 */
class CdsArchiveIT {
  @Test
  void theArchiveMatchesTheJar() throws Exception {
    var target = Path.of(System.getProperty("basedir", "")).toAbsolutePath().resolve("target");
    var jsa = target.resolve("stepgate.jsa");
    assertTrue(Files.size(jsa) > 1_000_000, "the package phase made " + jsa);
    var java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    var p = new ProcessBuilder(java, "-XX:SharedArchiveFile=" + jsa, "-Xshare:on", "-Xlog:cds=off",
        "-jar", target.resolve("stepgate.jar").toString(), "--version").redirectErrorStream(true).start();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "--version ran past 60 s");
    var out = new String(p.getInputStream().readAllBytes());
    assertEquals(0, p.exitValue(), out);
    assertTrue(out.contains("stepgate"), out);
  }
}
