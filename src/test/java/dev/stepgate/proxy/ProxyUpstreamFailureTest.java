package dev.stepgate.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stepgate.testing.Gateways;
import dev.stepgate.testing.TestUpstream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Upstream down at start and during operation; WebSockets through the same checks. */
class ProxyUpstreamFailureTest {
  @TempDir Path data;
  final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  static int freePort() throws Exception {
    try (var s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  @ParameterizedTest(name = "relay: {0}")
  @ValueSource(booleans = {true, false})
  void upstreamDown_browserGets502Page_apiGets502Problem(boolean relay) throws Exception {
    try (var gateway = Gateways.start("http://127.0.0.1:" + freePort(), data, "proxy: { relay: " + relay + " }\n")) {
      var base = "http://localhost:" + gateway.port();
      var page = http.send(HttpRequest.newBuilder(URI.create(base + "/")).header("Accept", "text/html,*/*").build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(502, page.statusCode());
      assertTrue(page.headers().firstValue("Content-Type").orElseThrow().startsWith("text/html"));
      assertTrue(page.body().contains("The app is not reachable"));
      var api = http.send(HttpRequest.newBuilder(URI.create(base + "/api")).header("Accept", "application/json").build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(502, api.statusCode());
      assertEquals("application/problem+json", api.headers().firstValue("Content-Type").orElseThrow());
      assertTrue(api.body().contains("\"type\":\"urn:stepgate:problem:upstream-unavailable\""), api.body());
      assertTrue(!api.body().contains("Exception"), api.body());
    }
  }

  @Test
  void webSocket_isRelayedBothWays() throws Exception {
    try (var upstream = new TestUpstream(); var gateway = Gateways.start(upstream.url(), data, "")) {
      var got = new CompletableFuture<String>();
      var ws = http.newWebSocketBuilder().header("X-Stepgate-User", "mallory").header("Remote-User", "mallory")
          .buildAsync(URI.create("ws://localhost:" + gateway.port() + "/ws?room=1"), new WebSocket.Listener() {
            @Override
            public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
              got.complete(data.toString());
              return null;
            }
          }).get(10, TimeUnit.SECONDS);
      ws.sendText("hello", true);
      assertEquals("echo: hello", got.get(10, TimeUnit.SECONDS));
      var r = upstream.last();
      assertEquals("WS", r.method());
      assertEquals("/ws?room=1", r.uri());
      assertEquals(null, r.headers().get("X-Stepgate-User"));
      assertEquals(null, r.headers().get("Remote-User"));
      assertEquals("127.0.0.1", r.headers().get("X-Forwarded-For"));
      ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void webSocket_upstreamDown_is502() throws Exception {
    try (var gateway = Gateways.start("http://127.0.0.1:" + freePort(), data, "")) {
      var f = http.newWebSocketBuilder().buildAsync(URI.create("ws://localhost:" + gateway.port() + "/ws"),
          new WebSocket.Listener() {});
      var e = org.junit.jupiter.api.Assertions.assertThrows(Exception.class, () -> f.get(10, TimeUnit.SECONDS));
      var handshake = (java.net.http.WebSocketHandshakeException) e.getCause();
      assertEquals(502, handshake.getResponse().statusCode());
    }
  }

  @Test
  void upstream_connectTimeoutConfigured_isHonoured() throws Exception {
    var c = Gateways.config("http://127.0.0.1:1", data, "proxy: { connect_timeout: 250ms, response_timeout: 1s }\n");
    assertEquals(Duration.ofMillis(250), c.proxy().connectTimeout());
  }
}
