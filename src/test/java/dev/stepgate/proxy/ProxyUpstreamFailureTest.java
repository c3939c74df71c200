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

  @ParameterizedTest(name = "relay: {0}")
  @ValueSource(booleans = {true, false})
  void clientGoneMidResponse_isQuiet_andTheGatewayGoesOn(boolean relay) throws Exception {
    var logged = new java.util.concurrent.CopyOnWriteArrayList<String>();
    var root = java.util.logging.Logger.getLogger("");
    var capture = new java.util.logging.Handler() {
      @Override
      public void publish(java.util.logging.LogRecord r) {
        // (Micrometer's one-time notice that Vert.x registers its connection gauge per connection is not ours)
        if (r.getLevel().intValue() >= java.util.logging.Level.WARNING.intValue()
            && !String.valueOf(r.getLoggerName()).startsWith("io.micrometer"))
          logged.add(r.getLoggerName() + ": " + r.getMessage() + (r.getThrown() == null ? "" : " " + r.getThrown()));
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
    try (var upstream = new TestUpstream(); var gateway = Gateways.start(upstream.url(), data, "proxy: { relay: " + relay + " }\n")) {
      root.addHandler(capture); // from here on: what the hang-ups cause
      for (int i = 0; i < 5; i++) {
        try (var socket = new java.net.Socket("127.0.0.1", gateway.port())) {
          socket.getOutputStream().write(("GET /download?bytes=100000000 HTTP/1.1\r\nHost: localhost:" + gateway.port()
              + "\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
          socket.getInputStream().readNBytes(256 * 1024);
        } // hang up mid-response
      }
      // and hang up on many small answers at once, as a load generator does when it stops
      var sockets = new java.util.ArrayList<java.net.Socket>();
      for (int i = 0; i < 200; i++) {
        var socket = new java.net.Socket("127.0.0.1", gateway.port());
        socket.setSoLinger(true, 0);
        socket.getOutputStream().write(("GET /small-" + i + " HTTP/1.1\r\nHost: localhost:" + gateway.port()
            + "\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        sockets.add(socket);
      }
      for (var socket : sockets) socket.close();
      var ok = http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + gateway.port() + "/after")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(200, ok.statusCode());
      Thread.sleep(300);
    } finally {
      root.removeHandler(capture);
    }
    assertEquals(java.util.List.of(), logged);
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
