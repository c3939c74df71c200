package dev.stepgate.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stepgate.testing.Gateways;
import dev.stepgate.testing.RawClient;
import dev.stepgate.testing.TestUpstream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code proxy.max_connections_per_ip}: counted by the socket's peer, trusted proxies exempt, the table bounded. */
class ConnectionLimitTest {
  @TempDir Path dir;

  private static final String GET = "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n";

  @Test
  void pastTheCap_aNewConnectionIsClosedAtOnce_andAClosedOneFreesItsPlace() throws Exception {
    try (var upstream = new TestUpstream();
        var gateway = Gateways.start(upstream.url(), dir.resolve("data"), "proxy: { max_connections_per_ip: 3 }\n")) {
      var held = new ArrayList<RawClient>();
      try {
        for (int i = 0; i < 3; i++) {
          var c = new RawClient(gateway.port());
          held.add(c);
          assertEquals(200, c.send(GET).read().status());
        }
        try (var fourth = new RawClient(gateway.port())) {
          long t0 = System.nanoTime();
          assertTrue(fourth.closedWithin(2000), "the fourth connection stayed open");
          assertTrue((System.nanoTime() - t0) / 1_000_000 < 1500);
        }
        held.remove(0).close();
        // the close reaches the gateway asynchronously: the place frees within moments
        long until = System.currentTimeMillis() + 3000;
        int status = 0;
        while (status != 200 && System.currentTimeMillis() < until) {
          try (var again = new RawClient(gateway.port())) {
            status = again.send(GET).read().status();
          } catch (java.io.IOException refusedStill) {
            Thread.sleep(20);
          }
        }
        assertEquals(200, status);
        for (var c : held) assertEquals(200, c.send(GET).read().status()); // the first three were never touched
      } finally {
        for (var c : held) c.close();
      }
    }
  }

  @Test
  void trustedProxy_isNotCounted() throws Exception {
    try (var upstream = new TestUpstream();
        var gateway = Gateways.start(upstream.url(), dir.resolve("data"),
            "trusted_proxies: [127.0.0.1/32]\nproxy: { max_connections_per_ip: 2 }\n")) {
      var held = new ArrayList<RawClient>();
      try {
        for (int i = 0; i < 6; i++) {
          var c = new RawClient(gateway.port());
          held.add(c);
          assertEquals(200, c.send(GET).read().status());
        }
      } finally {
        for (var c : held) c.close();
      }
    }
  }

  @Test
  void perPeerTable_dropsAPeerWithItsLastConnection() {
    var connections = new ClientConnections(Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(1), 2,
        peer -> false);
    for (int i = 0; i < 1000; i++) {
      var peer = "10.0." + (i / 256) + "." + (i % 256);
      assertTrue(connections.take(peer));
      assertTrue(connections.take(peer));
      assertEquals(false, connections.take(peer));
    }
    assertEquals(1000, connections.peers());
    for (int i = 0; i < 1000; i++) {
      var peer = "10.0." + (i / 256) + "." + (i % 256);
      connections.giveBack(peer);
      connections.giveBack(peer);
    }
    assertEquals(0, connections.peers()); // nothing stays behind for a peer that has gone
  }
}
