package dev.stepgate.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stepgate.testing.Gateways;
import dev.stepgate.testing.RawClient;
import dev.stepgate.testing.TestUpstream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@code /metrics} on the admin listener tells an operator, and that it stays true. */
class AdminMetricsTest {
  @TempDir Path dir;

  @Test
  void decisionsAndRelayedRequests_areCounted() throws Exception {
    try (var upstream = new TestUpstream()) {
      var gateway = Gateways.withPolicy(upstream.url(), dir, Gateways.ADMIN_DENIED_PRIVATE_SIGNED_IN, "").gateway();
      try (gateway; var client = new RawClient(gateway.port())) {
        for (var path : List.of("/a", "/b", "/admin/x", "/private/x"))
          client.send("GET " + path + " HTTP/1.1\r\nHost: localhost:" + gateway.port() + "\r\nAccept: application/json\r\n\r\n")
              .read();
        var m = Gateways.metrics(gateway);
        assertEquals(2, Gateways.metric(m, "stepgate_decisions_total{decision=\"allow\",rule=\"defaults\"}"));
        assertEquals(1, Gateways.metric(m, "stepgate_decisions_total{decision=\"deny\",rule=\"admin\"}"));
        assertEquals(1, Gateways.metric(m, "stepgate_decisions_total{decision=\"login\",rule=\"private\"}"));
        assertEquals(2, Gateways.metric(m, "stepgate_proxy_relayed_total"));
      }
    }
  }

  /**
   * Vert.x 5.0.x's per-request gauge keeps a request whose answer came before its body and whose
   * client then hung up (eclipse-vertx/vert.x#6328). The gateway answers early on purpose (every
   * refusal), so that gauge would only ever climb: it is not published.
   */
  @Test
  void noActiveRequestsGaugeThatOnlyClimbs() throws Exception {
    try (var upstream = new TestUpstream()) {
      var gateway = Gateways.withPolicy(upstream.url(), dir, Gateways.ADMIN_DENIED_PRIVATE_SIGNED_IN, "").gateway();
      try (gateway) {
        for (int i = 0; i < 3; i++) {
          try (var socket = new Socket("127.0.0.1", gateway.port())) {
            socket.getOutputStream().write(("POST /admin/x HTTP/1.1\r\nHost: localhost:" + gateway.port()
                + "\r\nAccept: application/json\r\nContent-Length: 1\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            assertEquals("HTTP/1.1 403", new String(socket.getInputStream().readNBytes(12), StandardCharsets.US_ASCII));
          } // hang up without the promised byte
        }
        try (var client = new RawClient(gateway.port())) { // and requests Vert.x's path ends normally
          client.send("POST /form HTTP/1.1\r\nHost: localhost:" + gateway.port()
              + "\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\n");
          assertEquals(100, client.read().status());
          assertEquals(200, client.send("ab").read().status());
        }
        var m = Gateways.metrics(gateway);
        assertFalse(m.contains("vertx_http_server_active_requests"), m);
        assertTrue(m.contains("vertx_http_server_active_connections"), "in-flight connections are still published");
        assertTrue(m.contains("vertx_http_server_requests_total{"), "and Vert.x's other HTTP metrics");
      }
    }
  }
}
