package dev.stepgate.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stepgate.server.Gateway;
import dev.stepgate.testing.Gateways;
import dev.stepgate.testing.RawClient;
import dev.stepgate.testing.ScriptedUpstream;
import io.netty.util.ResourceLeakDetector;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every way a relayed exchange can end, run with Netty's leak detector tracking every buffer:
 * a buffer the relay forgets to release (or releases twice) is reported, and fails this test.
 */
class RelayLeakTest {
  @TempDir Path dir;

  @Test
  void everyEnding_releasesEveryBuffer() throws Exception {
    var leaks = new CopyOnWriteArrayList<String>();
    var detectorLog = Logger.getLogger(ResourceLeakDetector.class.getName());
    Handler capture = new Handler() {
      @Override
      public void publish(LogRecord r) {
        if (r.getMessage() != null && r.getMessage().contains("LEAK")) leaks.add(r.getMessage());
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
    var level = ResourceLeakDetector.getLevel();
    detectorLog.addHandler(capture);
    // NIO: its read buffers come from the tracked allocator (io_uring reads into a buffer ring the
    // detector does not see); the relay's code is the same on every transport.
    var transport = System.setProperty("stepgate.transport", "nio");
    try (var upstream = new ScriptedUpstream(RelayLeakTest::answer);
        var gateway = Gateways.start(upstream.url(), dir.resolve("data"), "proxy: { response_timeout: 1s }\n")) {
      // after Vert.x started: it turns detection off when it first loads, unless a property says otherwise
      ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
      for (int round = 0; round < 3; round++) everyEnding(gateway);
      // The detector reports a leak when a later allocation finds the collected buffer unreleased.
      for (int i = 0; i < 5; i++) {
        System.gc();
        Thread.sleep(100);
        try (var client = new RawClient(gateway.port())) {
          for (int k = 0; k < 20; k++) client.send(get(gateway, "/plain")).read();
        }
      }
    } finally {
      if (transport == null) System.clearProperty("stepgate.transport");
      else System.setProperty("stepgate.transport", transport);
      detectorLog.removeHandler(capture);
      ResourceLeakDetector.setLevel(level);
    }
    assertEquals(List.of(), leaks);
  }

  private static void answer(ScriptedUpstream.Conn c, String head) throws IOException {
    switch (head.split(" ")[1]) {
      case "/hints" -> {
        c.write("HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n");
        c.ok("hinted");
      }
      case "/cut" -> {
        c.write("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789");
        c.close();
      }
      case "/gone" -> c.close();
      case "/old" -> {
        c.write("HTTP/1.0 200 OK\r\n\r\nuntil the end");
        c.close();
      }
      case "/early" -> {
        c.write("HTTP/1.1 413 Payload Too Large\r\nContent-Length: 4\r\n\r\nnope");
        c.body(head);
      }
      case "/big" -> {
        c.write("HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\n" + "z".repeat(20_000));
        c.awaitClose(5000);
      }
      case "/chunked" -> {
        c.body(head);
        c.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\nX-Trailer: t\r\n\r\n");
      }
      case "/never" -> c.awaitClose(5000);
      default -> {
        c.body(head);
        if (head.startsWith("HEAD")) c.write("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n");
        else c.ok("plain");
      }
    }
  }

  private static String get(Gateway gateway, String path) {
    return "GET " + path + " HTTP/1.1\r\nHost: localhost:" + gateway.port() + "\r\n\r\n";
  }

  private static void everyEnding(Gateway gateway) throws Exception {
    int port = gateway.port();
    try (var client = new RawClient(port)) {
      assertEquals("plain", client.send(get(gateway, "/plain")).read().body());
      assertEquals("plain", client.send("POST /plain HTTP/1.1\r\nHost: localhost:" + port
          + "\r\nContent-Length: 5000\r\n\r\n" + "p".repeat(5000)).read().body());
      assertEquals("hello", client.send("POST /chunked HTTP/1.1\r\nHost: localhost:" + port
          + "\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\nX-Stepgate-User: m\r\n\r\n").read().body());
      assertEquals("hinted", client.send(get(gateway, "/hints")).read().body());
      assertEquals(200, client.send("HEAD /plain HTTP/1.1\r\nHost: localhost:" + port + "\r\n\r\n").read(true).status());
      assertEquals("until the end", client.send(get(gateway, "/old")).read().body());
      assertEquals(502, client.send(get(gateway, "/gone")).read().status());
      client.send("POST /early HTTP/1.1\r\nHost: localhost:" + port + "\r\nContent-Length: 3000\r\n\r\n" + "e".repeat(1000));
      assertEquals(413, client.read().status());
      client.send("e".repeat(2000));
      assertEquals(504, client.send(get(gateway, "/never")).read().status());
      assertEquals("plain", client.send(get(gateway, "/plain")).read().body());
    }
    try (var client = new RawClient(port)) {
      client.send(get(gateway, "/cut"));
      assertTrue(org.junit.jupiter.api.Assertions.assertThrows(IOException.class, client::read).getMessage() != null);
    }
    try (var client = new RawClient(port)) {
      client.send(get(gateway, "/big")); // and hang up mid-response
      Thread.sleep(100);
    }
    try (var client = new RawClient(port)) { // pipelined, gateway answers in between
      client.send(get(gateway, "/plain") + get(gateway, "/.stepgate/healthz") + get(gateway, "/plain"));
      for (int i = 0; i < 3; i++) assertEquals(200, client.read().status());
    }
  }
}
