package dev.stepgate.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stepgate.server.Gateway;
import dev.stepgate.testing.Gateways;
import dev.stepgate.testing.RawHttp;
import dev.stepgate.testing.TestUpstream;
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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The plain proxy path against a real upstream: what reaches it, and what never does. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ProxyForwardingTest {
  Path data;
  TestUpstream upstream;
  Gateway gateway;
  static HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

  /** Whether the gateway relays admitted requests (see {@link RelayLane}); subclasses test the other path. */
  boolean relay() {
    return true;
  }

  @BeforeAll
  void start(@TempDir Path dir) throws Exception {
    data = dir;
    upstream = new TestUpstream();
    gateway = Gateways.start(upstream.url(), data, "proxy: { response_timeout: 2s, max_body_size: 1MiB, relay: " + relay() + " }\n");
  }

  @AfterAll
  void stop() throws Exception {
    gateway.close();
    upstream.close();
  }

  @BeforeEach
  void clear() {
    upstream.clear();
  }

  private HttpResponse<String> get(String path, String... headers) throws Exception {
    var b = HttpRequest.newBuilder(URI.create("http://localhost:" + gateway.port() + path)).timeout(Duration.ofSeconds(10));
    for (int i = 0; i < headers.length; i += 2) b.header(headers[i], headers[i + 1]);
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void get_plainRequest_reachesUpstreamWithForwardingHeaders() throws Exception {
    var resp = get("/hello?x=1&y=%20z");
    assertEquals(200, resp.statusCode());
    assertEquals("GET /hello?x=1&y=%20z 0", resp.body());
    var r = upstream.last();
    assertEquals("/hello?x=1&y=%20z", r.uri());
    assertEquals("127.0.0.1", r.headers().get("X-Forwarded-For"));
    assertEquals("http", r.headers().get("X-Forwarded-Proto"));
    assertEquals("localhost:" + gateway.port(), r.headers().get("X-Forwarded-Host"));
    assertEquals("127.0.0.1:" + upstream.port(), r.headers().get("Host"));
  }

  @Test
  void response_hopByHopAndConnectionNamedHeaders_areRemoved() throws Exception {
    var resp = get("/hop");
    assertEquals("yes", resp.headers().firstValue("X-Upstream").orElse(null));
    assertTrue(resp.headers().firstValue("X-Hop").isEmpty());
    assertTrue(resp.headers().firstValue("Keep-Alive").isEmpty());
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "X-Stepgate-User", "x-stepgate-user", "X_Stepgate_User", "x.stepgate.user", "X-STEPGATE-ASSERTION",
      "X-Stepgate-Anything", "Remote-User", "remote_user", "REMOTE.USER", "Remote-Email", "Remote-Name",
      "X-Forwarded-User", "x_forwarded_email", "X-Auth-Request-User", "X-Remote-User",
      "X-HTTP-Method-Override", "X-Http-Method", "X-Method-Override", "x_http_method_override",
      "Forwarded", "X-Forwarded-Prefix", "X-Real-IP"})
  void request_spoofableHeaderInAnySpelling_neverReachesUpstream(String name) throws Exception {
    var raw = "GET /spoof HTTP/1.1\r\nHost: localhost:" + gateway.port() + "\r\n" + name + ": evil\r\nConnection: close\r\n\r\n";
    assertEquals(200, RawHttp.status(RawHttp.send(gateway.port(), raw)));
    var headers = upstream.last().headers();
    for (var e : headers) assertFalse(e.getValue().contains("evil"), "upstream got " + e.getKey() + ": " + e.getValue());
  }

  @Test
  void request_untrustedXForwardedFor_isReplacedNotAppended() throws Exception {
    get("/xff", "X-Forwarded-For", "6.6.6.6", "X-Forwarded-Proto", "https", "X-Forwarded-Host", "evil.example");
    var h = upstream.last().headers();
    assertEquals("127.0.0.1", h.get("X-Forwarded-For"));
    assertEquals("http", h.get("X-Forwarded-Proto"));
    assertEquals("localhost:" + gateway.port(), h.get("X-Forwarded-Host"));
  }

  @Test
  void request_headerNamedInConnection_isRemoved() throws Exception {
    var raw = "GET /conn HTTP/1.1\r\nHost: localhost:" + gateway.port() + "\r\nConnection: close, X-Secret\r\nX-Secret: 1\r\nX-Kept: 2\r\n\r\n";
    RawHttp.send(gateway.port(), raw);
    var h = upstream.last().headers();
    assertNull(h.get("X-Secret"));
    assertEquals("2", h.get("X-Kept"));
  }

  @Test
  void post_body_isStreamedToUpstream() throws Exception {
    var body = "a=1&b=" + "x".repeat(100_000);
    var resp = http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + gateway.port() + "/form"))
        .POST(HttpRequest.BodyPublishers.ofString(body)).header("Content-Type", "application/x-www-form-urlencoded").build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, resp.statusCode());
    assertEquals(body.length(), upstream.last().bodyBytes());
    assertEquals(1, upstream.received().size());
  }

  @Test
  void webSocket_framesAfterTheUpgrade_areRelayedUnscanned() throws Exception {
    var echoed = new CompletableFuture<String>();
    var ws = http.newWebSocketBuilder().buildAsync(URI.create("ws://localhost:" + gateway.port() + "/ws"), new WebSocket.Listener() {
      @Override
      public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
        echoed.complete(data.toString());
        return null;
      }
    }).get(10, TimeUnit.SECONDS);
    var text = "x\r\n Folded: y\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n";
    ws.sendText(text, true).get(10, TimeUnit.SECONDS);
    assertEquals("echo: " + text, echoed.get(10, TimeUnit.SECONDS));
    ws.abort();
  }

  @Test
  void post_bodyOverLimit_is413AndNeverForwarded() throws Exception {
    // Raw, and the body is not sent: the gateway answers from Content-Length alone and closes,
    // so a client still writing 2 MiB could otherwise see a reset before it reads the 413.
    var resp = RawHttp.send(gateway.port(), "POST /big HTTP/1.1\r\nHost: localhost:" + gateway.port()
        + "\r\nContent-Length: 2097152\r\n\r\n");
    assertEquals(413, RawHttp.status(resp));
    assertTrue(resp.toLowerCase().contains("connection: close"), resp);
    assertTrue(upstream.received().isEmpty());
  }

  @Test
  void post_chunkedBodyOverLimit_isNeverForwardedWhole() throws Exception {
    var chunk = "x".repeat(64 * 1024);
    var raw = new StringBuilder("POST /big HTTP/1.1\r\nHost: localhost:" + gateway.port() + "\r\nTransfer-Encoding: chunked\r\n\r\n");
    for (int i = 0; i < 20; i++) raw.append(Integer.toHexString(chunk.length())).append("\r\n").append(chunk).append("\r\n");
    raw.append("0\r\n\r\n");
    RawHttp.send(gateway.port(), raw.toString());
    assertTrue(upstream.received().stream().noneMatch(r -> r.bodyBytes() > 1024 * 1024), () -> "" + upstream.received());
  }

  @Test
  void headers_tooLarge_is431() throws Exception {
    var resp = get("/h", "X-Big", "y".repeat(20_000));
    assertEquals(431, resp.statusCode());
    assertTrue(upstream.received().isEmpty());
  }

  @Test
  void upstream_neverAnswers_is504ProblemJson() throws Exception {
    var resp = get("/slow", "Accept", "application/json");
    assertEquals(504, resp.statusCode());
    assertEquals("application/problem+json", resp.headers().firstValue("Content-Type").orElseThrow());
    assertTrue(resp.body().contains("urn:stepgate:problem:upstream-timeout"), resp.body());
  }

  @Test
  void gatewayNamespace_isNeverForwarded() throws Exception {
    assertEquals(200, get("/.stepgate/healthz").statusCode());
    assertEquals(404, get("/.stepgate/nothing-here").statusCode());
    assertEquals(400, RawHttp.status(RawHttp.send(gateway.port(),
        "GET /x/../.stepgate/healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")));
    assertTrue(upstream.received().isEmpty());
  }

  @Test
  void host_unknown_isRefusedWith421() throws Exception {
    var raw = "GET / HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n";
    assertEquals(421, RawHttp.status(RawHttp.send(gateway.port(), raw)));
    assertTrue(upstream.received().isEmpty());
  }
}
