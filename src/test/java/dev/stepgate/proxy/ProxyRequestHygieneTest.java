package dev.stepgate.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stepgate.server.Gateway;
import dev.stepgate.testing.Gateways;
import dev.stepgate.testing.RawHttp;
import dev.stepgate.testing.TestUpstream;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Raw requests through the real gateway: paths and framing that parsers could disagree on, and the
 * headers only a trusted proxy in front may set.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ProxyRequestHygieneTest {
  Path data;
  TestUpstream upstream;
  Gateway gateway;
  /** The same gateway, but this test's own address (127.0.0.1) is in {@code trusted_proxies}. */
  Gateway trusting;

  /** Whether the gateway relays admitted requests (see {@link RelayLane}); subclasses test the other path. */
  boolean relay() {
    return true;
  }

  @BeforeAll
  void start(@TempDir Path dir) throws Exception {
    data = dir;
    upstream = new TestUpstream();
    gateway = Gateways.start(upstream.url(), data, "proxy: { relay: " + relay() + " }\n");
    trusting = Gateways.start(upstream.url(), data.resolve("trusting"),
        "proxy: { relay: " + relay() + " }\ntrusted_proxies: [127.0.0.1/32]\n");
  }

  @AfterAll
  void stop() throws Exception {
    gateway.close();
    trusting.close();
    upstream.close();
  }

  @BeforeEach
  void clear() {
    upstream.clear();
  }

  private String send(String requestLineTarget, String extraHeaders) throws Exception {
    return RawHttp.send(gateway.port(), "GET " + requestLineTarget + " HTTP/1.1\r\nHost: localhost:" + gateway.port()
        + "\r\n" + extraHeaders + "Connection: close\r\n\r\n");
  }

  @ParameterizedTest(name = "{0} is forwarded as {1}")
  @CsvSource({
      "//admin//users, /admin/users",
      "/x/../admin, /admin",
      "/x/%2e%2e/admin, /admin",
      "/%61dmin?q=%2F, /admin?q=%2F",
      "/admin/./, /admin/"})
  void path_isForwardedInCanonicalForm(String raw, String forwarded) throws Exception {
    assertEquals(200, RawHttp.status(send(raw, "")));
    assertEquals(forwarded, upstream.last().uri());
  }

  @ParameterizedTest
  @ValueSource(strings = {"/admin%2fusers", "/admin%5Cusers", "/admin\\users", "/admin;a=b", "/admin%00",
      "/%252e%252e/admin", "/../admin", "/%ff", "http://evil.example/admin", "*"})
  void path_ambiguous_is400AndNothingReachesUpstream(String raw) throws Exception {
    assertEquals(400, RawHttp.status(send(raw, "")));
    assertTrue(upstream.received().isEmpty());
  }

  @Test
  void smuggling_contentLengthWithTransferEncoding_is400AndNothingForwarded() throws Exception {
    var resp = RawHttp.send(gateway.port(), "POST /x HTTP/1.1\r\nHost: localhost\r\nContent-Length: 4\r\n"
        + "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: localhost\r\n\r\n");
    assertEquals(400, RawHttp.status(resp));
    assertTrue(upstream.received().isEmpty(), () -> "upstream got " + upstream.received());
  }

  @Test
  void smuggling_duplicateContentLength_is400AndNothingForwarded() throws Exception {
    var resp = RawHttp.send(gateway.port(), "POST /x HTTP/1.1\r\nHost: localhost\r\nContent-Length: 3\r\n"
        + "Content-Length: 40\r\n\r\nabcGET /smuggled HTTP/1.1\r\nHost: localhost\r\n\r\n");
    assertEquals(400, RawHttp.status(resp));
    assertTrue(upstream.received().isEmpty(), () -> "upstream got " + upstream.received());
  }

  @Test
  void smuggling_obsFoldedHeader_is400AndNothingForwarded() throws Exception {
    var resp = RawHttp.send(gateway.port(), "GET /x HTTP/1.1\r\nHost: localhost\r\nX-Folded: a\r\n"
        + " Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n");
    assertEquals(400, RawHttp.status(resp));
    assertTrue(upstream.received().isEmpty(), () -> "upstream got " + upstream.received());
  }

  @Test
  void smuggling_afterAnUpgradeAnsweredAsPlainHttp_isStill400() throws Exception {
    var resp = RawHttp.send(gateway.port(), "GET /one HTTP/1.1\r\nHost: localhost\r\nUpgrade: foo\r\nConnection: Upgrade\r\n\r\n"
        + "POST /x HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n0\r\n\r\n"
        + "GET /smuggled HTTP/1.1\r\nHost: localhost\r\n\r\n");
    assertTrue(resp.contains("HTTP/1.1 400 Bad Request\r\n"), resp);
    assertTrue(upstream.received().stream().noneMatch(r -> r.uri().equals("/x") || r.uri().equals("/smuggled")),
        () -> "upstream got " + upstream.received());
  }

  // Netty 4.2.12 refuses unquoted chunk-ext values (6;x=y), though RFC 9112 §7.1.1 allows them.
  @ParameterizedTest
  @ValueSource(strings = {"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n", "5\r\nhello\r\n6;x=\"y z\"\r\n world\r\n0\r\n\r\n",
      "5\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: 1\r\n\r\n"})
  void chunked_bodyWithExtensionsAndTrailers_isForwardedWhole(String chunks) throws Exception {
    var resp = RawHttp.send(gateway.port(), "POST /chunked HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n"
        + "Connection: close\r\n\r\n" + chunks);
    assertEquals(200, RawHttp.status(resp));
    assertEquals("hello world", upstream.last().body());
  }

  @Test
  void host_twice_is400AndNothingForwarded() throws Exception {
    var resp = RawHttp.send(gateway.port(), "GET /two-hosts HTTP/1.1\r\nHost: localhost:" + gateway.port()
        + "\r\nHost: evil.example\r\nConnection: close\r\n\r\n");
    assertEquals(400, RawHttp.status(resp));
    assertTrue(upstream.received().isEmpty());
  }

  @Test
  void smuggling_unknownTransferEncoding_is400() throws Exception {
    var resp = RawHttp.send(gateway.port(), "POST /x HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: gzip, chunked\r\n"
        + "Connection: close\r\n\r\n0\r\n\r\n");
    assertTrue(RawHttp.status(resp) >= 400, resp);
    assertTrue(upstream.received().isEmpty());
  }

  @Test
  void pipelined_secondRequest_isForwardedAsItsOwnRequest() throws Exception {
    RawHttp.send(gateway.port(), "POST /one HTTP/1.1\r\nHost: localhost\r\nContent-Length: 3\r\n\r\nabc"
        + "GET /two HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    var got = upstream.received();
    assertEquals(2, got.size(), () -> "" + got);
    assertEquals("/one", got.get(0).uri());
    assertEquals(3, got.get(0).bodyBytes());
    assertEquals("/two", got.get(1).uri());
  }

  /** Path overrides and client-IP headers only a proxy in front may set (SPEC section 6, issue 10 item 8). */
  static final List<String> PROXY_SET = List.of("X-Original-URL", "X-Rewrite-URL", "X-Original-URI", "X-Override-URL",
      "True-Client-IP", "X-Client-IP", "Client-IP", "CF-Connecting-IP", "Fastly-Client-IP", "X-Cluster-Client-IP");

  /** {@code name} as written, in lower and upper case, and with {@code _} or {@code .} for {@code -}. */
  static List<String> spellings(String name) {
    return List.of(name, name.toLowerCase(Locale.ROOT), name.toUpperCase(Locale.ROOT), name.replace('-', '_'),
        name.replace('-', '.').toLowerCase(Locale.ROOT));
  }

  /** Sends {@code GET /override} with every spelling of {@code name}, each with its own value; returns the values. */
  private List<String> sendSpellings(Gateway to, String name) throws Exception {
    var raw = new StringBuilder("GET /override HTTP/1.1\r\nHost: localhost:" + to.port() + "\r\n");
    var values = new java.util.ArrayList<String>();
    for (var spelling : spellings(name)) {
      var value = "/admin-" + spelling;
      values.add(value);
      raw.append(spelling).append(": ").append(value).append("\r\n");
    }
    assertEquals(200, RawHttp.status(RawHttp.send(to.port(), raw.append("Connection: close\r\n\r\n").toString())));
    assertEquals("/override", upstream.last().uri());
    return values;
  }

  @ParameterizedTest
  @MethodSource("proxySetNames")
  void pathOverrideOrClientIp_fromAnUntrustedPeer_neverReachesUpstreamInAnySpelling(String name) throws Exception {
    sendSpellings(gateway, name);
    for (var e : upstream.last().headers())
      assertFalse(e.getValue().startsWith("/admin-"), () -> "upstream got " + e.getKey() + ": " + e.getValue());
  }

  @ParameterizedTest
  @MethodSource("proxySetNames")
  void pathOverrideOrClientIp_fromATrustedProxy_isKeptInEverySpelling(String name) throws Exception {
    var sent = sendSpellings(trusting, name);
    var got = new java.util.ArrayList<String>();
    for (var e : upstream.last().headers())
      if (HeaderHygiene.normalise(e.getKey()).equals(HeaderHygiene.normalise(name))) got.add(e.getValue());
    assertEquals(sent, got);
  }

  static List<String> proxySetNames() {
    return PROXY_SET;
  }
}
