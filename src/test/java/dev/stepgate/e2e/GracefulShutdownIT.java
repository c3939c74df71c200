package dev.stepgate.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.stepgate.testing.RawHttp;
import dev.stepgate.testing.Gateways;
import dev.stepgate.testing.PasskeyUser;
import dev.stepgate.testing.RawClient;
import dev.stepgate.testing.ScriptedUpstream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * SIGTERM on {@code java -jar target/stepgate.jar run}: the listener stops accepting at once, an
 * idle keep-alive connection closes, a request in flight finishes (its response says {@code
 * Connection: close}) and the process exits 0; a request still running when {@code
 * proxy.shutdown_grace} is over is cut, and the process exits all the same.
 */
class GracefulShutdownIT {
  @TempDir Path dir;

  /** {@code /after/N} answers after N ms; anything else at once. */
  private static void answer(ScriptedUpstream.Conn c, String head) throws IOException {
    var path = head.split(" ")[1];
    if (path.startsWith("/after/")) {
      try {
        Thread.sleep(Long.parseLong(path.substring("/after/".length())));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
    c.ok("done " + path);
  }

  private static String get(String path) {
    return "GET " + path + " HTTP/1.1\r\nHost: localhost\r\n\r\n";
  }

  @ParameterizedTest(name = "relay: {0}")
  @ValueSource(booleans = {true, false})
  void sigterm_finishesTheInFlightRequest_refusesNewConnections_andExits0(boolean relay) throws Exception {
    try (var upstream = new ScriptedUpstream(GracefulShutdownIT::answer)) {
      var gw = start(upstream, "proxy: { relay: " + relay + ", shutdown_grace: 8s }\n");
      try (var idle = new RawClient(gw.port); var busy = new RawClient(gw.port)) {
        assertEquals(200, idle.send(get("/first")).read().status());
        var slow = CompletableFuture.supplyAsync(() -> {
          try {
            return busy.send(get("/after/2000")).read();
          } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        });
        awaitHead(upstream, "/after/2000");
        long t0 = System.nanoTime();
        signal(gw.process, "TERM");

        assertTrue(RawHttp.refusedWithin(gw.port, 2000), "the listener still accepts after SIGTERM" + log(gw));
        long refusedMs = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(idle.closedWithin(3000), "the idle keep-alive connection stayed open" + log(gw));
        var r = slow.get(10, TimeUnit.SECONDS);
        assertEquals(200, r.status(), r.raw());
        assertEquals("done /after/2000", r.body());
        assertEquals("close", r.headers().get("connection"));
        assertTrue(gw.process.waitFor(8, TimeUnit.SECONDS), "still running" + log(gw));
        long exitMs = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(0, gw.process.exitValue(), log(gw));
        // finished with the slow request, well before the grace was over
        assertTrue(exitMs < 6000, "exited " + exitMs + " ms after SIGTERM" + log(gw));
        System.out.println("relay " + relay + ": refused new connections " + refusedMs + " ms after SIGTERM, exit 0 after "
            + exitMs + " ms (in-flight request of 2 s completed)");
      } finally {
        gw.process.destroyForcibly();
      }
    }
  }

  @Test
  void sigterm_requestStillRunningPastTheGrace_isCut_andTheProcessExits0() throws Exception {
    try (var upstream = new ScriptedUpstream(GracefulShutdownIT::answer)) {
      var gw = start(upstream, "proxy: { shutdown_grace: 1s }\n");
      try (var busy = new RawClient(gw.port)) {
        busy.send(get("/after/20000"));
        awaitHead(upstream, "/after/20000");
        long t0 = System.nanoTime();
        signal(gw.process, "TERM");
        assertTrue(busy.closedWithin(6000), "the overdue request was not cut" + log(gw));
        assertTrue(gw.process.waitFor(8, TimeUnit.SECONDS), "still running" + log(gw));
        long exitMs = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(0, gw.process.exitValue(), log(gw));
        assertTrue(exitMs >= 900 && exitMs < 6000, "exited " + exitMs + " ms after SIGTERM" + log(gw));
        System.out.println("grace 1 s, request of 20 s: cut, exit 0 after " + exitMs + " ms");
      } finally {
        gw.process.destroyForcibly();
      }
    }
  }

  private record Running(Process process, int port, Path log) {}

  private Running start(ScriptedUpstream upstream, String extraYaml) throws Exception {
    var jar = Path.of(System.getProperty("basedir", "")).toAbsolutePath().resolve("target/stepgate.jar");
    assertTrue(Files.isRegularFile(jar), "the jar is built before the integration tests: " + jar);
    var data = dir.resolve("data");
    Files.createDirectories(data);
    Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwx------"));
    var policy = dir.resolve("policy.yaml");
    Files.writeString(policy, Gateways.OPEN_POLICY);
    int port = PasskeyUser.freePort();
    var config = dir.resolve("gateway.yaml");
    Files.writeString(config, "listen: 127.0.0.1:" + port + "\nadmin_listen: 127.0.0.1:0\nupstream: " + upstream.url()
        + "\nstorage: { path: " + data + " }\npolicies: " + policy + "\n" + extraYaml);
    var log = dir.resolve("gateway.log");
    var process = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"), "-jar", jar.toString(),
        "run", "--config", config.toString()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    var running = new Running(process, port, log);
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < until) {
      if (!process.isAlive()) fail("the gateway exited " + process.exitValue() + log(running));
      try (var c = new RawClient(port)) {
        if (c.send(get("/ready")).read().status() == 200) return running;
      } catch (IOException notYet) {
        Thread.sleep(50);
      }
    }
    process.destroyForcibly();
    fail("the gateway did not start" + log(running));
    return null;
  }

  private static void signal(Process p, String name) throws Exception {
    var kill = new ProcessBuilder("kill", "-" + name, Long.toString(p.pid())).inheritIO().start();
    assertEquals(0, kill.waitFor());
  }

  private static void awaitHead(ScriptedUpstream upstream, String path) throws InterruptedException {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (upstream.heads().stream().noneMatch(h -> h.startsWith("GET " + path + " "))) {
      if (System.nanoTime() > until) fail("the upstream never saw " + path);
      Thread.sleep(10);
    }
  }


  private static String log(Running r) {
    try {
      return "\n--- gateway log ---\n" + Files.readString(r.log());
    } catch (IOException e) {
      return "";
    }
  }
}
