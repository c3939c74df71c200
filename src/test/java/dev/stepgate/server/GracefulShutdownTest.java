package dev.stepgate.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.stepgate.testing.RawHttp;
import dev.stepgate.testing.Gateways;
import dev.stepgate.testing.RawClient;
import dev.stepgate.testing.ScriptedUpstream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link Gateway#shutdown} in process, for what the jar test ({@code GracefulShutdownIT}) does
 * not reach: an upload still arriving when the shutdown begins finishes, on both paths.
 */
class GracefulShutdownTest {
  @TempDir Path dir;

  @ParameterizedTest(name = "relay: {0}")
  @ValueSource(booleans = {true, false})
  void shutdown_uploadStillArriving_finishes_andNewConnectionsAreRefused(boolean relay) throws Exception {
    try (var upstream = new ScriptedUpstream((c, head) -> c.ok("got " + c.body(head).length()))) {
      var gateway = Gateways.start(upstream.url(), dir.resolve("data"), "proxy: { relay: " + relay + " }\n");
      int port = gateway.port();
      try (var client = new RawClient(port)) {
        client.send("POST /upload HTTP/1.1\r\nHost: localhost\r\nContent-Length: 10\r\n\r\n01234");
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (upstream.heads().isEmpty()) {
          if (System.nanoTime() > until) fail("the upload never reached the upstream");
          Thread.sleep(10);
        }
        var stopped = CompletableFuture.supplyAsync(() -> gateway.shutdown(Duration.ofSeconds(8)));
        assertTrue(RawHttp.refusedWithin(port, 2000), "the listener still accepts during the shutdown");
        client.send("56789");
        var r = client.read();
        assertEquals(200, r.status(), r.raw());
        assertEquals("got 10", r.body());
        assertEquals("close", r.headers().get("connection"));
        assertTrue(client.closedWithin(2000));
        assertTrue(stopped.get(5, TimeUnit.SECONDS), "the shutdown reported connections cut");
      } finally {
        gateway.close();
      }
    }
  }

}
