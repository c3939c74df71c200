package dev.stepgate.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stepgate.server.Gateway;
import dev.stepgate.testing.Gateways;
import dev.stepgate.testing.RawClient;
import dev.stepgate.testing.ScriptedUpstream;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Slow and idle clients (issue 14): a trickled head gets 408 within {@code proxy.header_timeout},
 * a stalled body 408 within {@code proxy.body_timeout} (and the upstream connection closes), an
 * idle keep-alive connection closes after {@code proxy.idle_timeout}; a slow upstream is not the
 * client's fault. Raw sockets, small timeouts, generous bounds (the machine is shared).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SlowClientTest {
  static final int HEADER_MS = 600;
  static final int IDLE_MS = 1500;
  static final int BODY_MS = 1000;
  /** How late a deadline may fire on a busy machine and still pass. */
  static final int SLACK_MS = 2500;

  ScriptedUpstream upstream;
  Gateway gateway;

  boolean relay() {
    return true;
  }

  @BeforeAll
  void start(@TempDir Path dir) throws Exception {
    upstream = new ScriptedUpstream(SlowClientTest::answer);
    gateway = Gateways.start(upstream.url(), dir.resolve("data"), "proxy: { relay: " + relay() + ", header_timeout: "
        + HEADER_MS + "ms, idle_timeout: " + IDLE_MS + "ms, body_timeout: " + BODY_MS + "ms, response_timeout: 10s }\n");
  }

  @AfterAll
  void stop() throws Exception {
    gateway.close();
    upstream.close();
  }

  private static void answer(ScriptedUpstream.Conn c, String head) throws IOException {
    var path = head.split(" ")[1];
    switch (path) {
      case "/upload" -> c.awaitClose(10_000); // reads the body until the gateway lets go of the connection
      case "/late" -> {
        try {
          Thread.sleep(2 * IDLE_MS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        c.ok("late");
      }
      default -> {
        if (head.toLowerCase().contains("content-length:")) c.body(head);
        c.ok("ok " + path);
      }
    }
  }

  private static String get(String path) {
    return "GET " + path + " HTTP/1.1\r\nHost: localhost\r\n\r\n";
  }

  @Test
  void tricklingHead_gets408AndIsClosed_withinTheHeaderTimeout() throws Exception {
    try (var client = new RawClient(gateway.port())) {
      long t0 = System.nanoTime();
      var trickle = trickle(client, "GET / HTTP/1.1\r\nHost: localhost\r\nX-Slow: " + "a".repeat(200));
      var r = client.read();
      long ms = (System.nanoTime() - t0) / 1_000_000;
      trickle.set(false);
      assertEquals(408, r.status(), r.raw());
      assertEquals("close", r.headers().get("connection"));
      assertTrue(r.body().contains("request-timeout"), r.body());
      assertTrue(ms >= HEADER_MS - 50 && ms < HEADER_MS + SLACK_MS, "cut after " + ms + " ms");
      assertTrue(client.closedWithin(2000));
      assertEquals(0, upstream.heads().stream().filter(h -> h.contains("X-Slow")).count());
    }
  }

  @Test
  void tricklingHead_onAKeptAliveConnection_isTimedPerRequest() throws Exception {
    try (var client = new RawClient(gateway.port())) {
      assertEquals(200, client.send(get("/one")).read().status());
      Thread.sleep(HEADER_MS + 200); // longer than a head may take: the next head's clock starts at its first byte
      assertEquals(200, client.send(get("/two")).read().status());
      long t0 = System.nanoTime();
      var trickle = trickle(client, "GET /three HTTP/1.1\r\nHost: localhost\r\nX-Slow: " + "a".repeat(200));
      var r = client.read();
      long ms = (System.nanoTime() - t0) / 1_000_000;
      trickle.set(false);
      assertEquals(408, r.status(), r.raw());
      assertTrue(ms >= HEADER_MS - 50 && ms < HEADER_MS + SLACK_MS, "cut after " + ms + " ms");
      assertTrue(client.closedWithin(2000));
    }
  }

  @Test
  void silentConnection_isClosedWithoutAnAnswer_afterTheHeaderTimeout() throws Exception {
    try (var socket = new Socket("127.0.0.1", gateway.port())) {
      socket.setSoTimeout(HEADER_MS + SLACK_MS);
      long t0 = System.nanoTime();
      assertEquals(-1, socket.getInputStream().read()); // closed, nothing written
      long ms = (System.nanoTime() - t0) / 1_000_000;
      assertTrue(ms >= HEADER_MS - 50, "closed after " + ms + " ms");
    }
  }

  @Test
  void idleKeepAlive_isClosedAfterTheIdleTimeout() throws Exception {
    try (var client = new RawClient(gateway.port())) {
      assertEquals(200, client.send(get("/idle")).read().status());
      long t0 = System.nanoTime();
      assertTrue(client.closedWithin(IDLE_MS + SLACK_MS));
      long ms = (System.nanoTime() - t0) / 1_000_000;
      assertTrue(ms >= IDLE_MS - 50 && ms < IDLE_MS + SLACK_MS, "closed after " + ms + " ms");
    }
  }

  @Test
  void keepAlive_usedWithinTheIdleTimeout_staysOpen() throws Exception {
    try (var client = new RawClient(gateway.port())) {
      for (int i = 0; i < 4; i++) {
        assertEquals(200, client.send(get("/again/" + i)).read().status());
        Thread.sleep(IDLE_MS / 3);
      }
    }
  }

  @Test
  void slowUpstream_isNotTheClientsFault() throws Exception {
    try (var client = new RawClient(gateway.port())) {
      var r = client.send(get("/late")).read(); // answers after twice the idle timeout
      assertEquals(200, r.status(), r.raw());
      assertEquals("late", r.body());
    }
  }

  @Test
  void slowUpload_thatKeepsSending_isNotCut() throws Exception {
    try (var client = new RawClient(gateway.port())) {
      client.send("POST /form HTTP/1.1\r\nHost: localhost\r\nContent-Length: 8\r\n\r\n");
      for (int i = 0; i < 8; i++) { // 8 bytes over about 1.6 body timeouts
        Thread.sleep(BODY_MS / 5);
        client.send("x");
      }
      var r = client.read();
      assertEquals(200, r.status(), r.raw());
    }
  }

  @Test
  void stalledBody_gets408_andTheUpstreamConnectionCloses() throws Exception {
    int closedBefore = upstream.closedByPeer();
    try (var client = new RawClient(gateway.port())) {
      client.send("POST /upload HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100\r\n\r\n0123456789");
      long t0 = System.nanoTime();
      var r = client.read();
      long ms = (System.nanoTime() - t0) / 1_000_000;
      assertEquals(408, r.status(), r.raw());
      assertEquals("close", r.headers().get("connection"));
      assertTrue(ms >= BODY_MS - 50 && ms < BODY_MS + SLACK_MS, "cut after " + ms + " ms");
      assertTrue(client.closedWithin(2000));
    }
    long until = System.currentTimeMillis() + 5000;
    while (upstream.closedByPeer() == closedBefore && System.currentTimeMillis() < until) Thread.sleep(20);
    assertTrue(upstream.closedByPeer() > closedBefore, "the upstream connection of the stalled upload is still open");
  }

  /** Sends {@code text} a byte every 50 ms on another thread, until told to stop or the socket fails. */
  private static AtomicBoolean trickle(RawClient client, String text) {
    var on = new AtomicBoolean(true);
    var t = new Thread(() -> {
      for (byte b : text.getBytes(StandardCharsets.ISO_8859_1)) {
        if (!on.get()) return;
        try {
          client.send(new String(new byte[] {b}, StandardCharsets.ISO_8859_1));
          Thread.sleep(50);
        } catch (IOException | InterruptedException e) {
          return;
        }
      }
    }, "trickle");
    t.setDaemon(true);
    t.start();
    return on;
  }
}
