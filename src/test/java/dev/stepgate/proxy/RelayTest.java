package dev.stepgate.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stepgate.server.Gateway;
import dev.stepgate.testing.Gateways;
import dev.stepgate.testing.RawClient;
import dev.stepgate.testing.ScriptedUpstream;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The relay (admitted HTTP/1.1 exchanges forwarded on the connection's own pipeline) against an
 * upstream that does what real servers sometimes do. Which requests it takes is read from {@code
 * stepgate_proxy_relayed_total}.
 */
class RelayTest {
  @TempDir Path dir;
  ScriptedUpstream upstream;
  Gateway gateway;

  @AfterEach
  void stop() throws IOException {
    if (gateway != null) gateway.close();
    if (upstream != null) upstream.close();
  }

  private Gateway start(ScriptedUpstream.Script script, String extraYaml) throws IOException {
    upstream = new ScriptedUpstream(script);
    gateway = Gateways.start(upstream.url(), dir.resolve("data"), extraYaml);
    return gateway;
  }

  private String get(String path, String... headerLines) {
    var sb = new StringBuilder("GET " + path + " HTTP/1.1\r\nHost: localhost:" + gateway.port() + "\r\n");
    for (var h : headerLines) sb.append(h).append("\r\n");
    return sb.append("\r\n").toString();
  }

  static long relayed(Gateway gateway) throws Exception {
    return (long) Gateways.metric(Gateways.metrics(gateway), "stepgate_proxy_relayed_total");
  }

  private static String path(String head) {
    return head.split(" ")[1];
  }

  @Test
  void asciiValues_keepLongAsciiValuesAsBytes_andNothingElse() {
    var ascii = new RelayLane.AsciiValues();
    var token = "eyJ" + "a".repeat(100);
    var bytes = ascii.of(token);
    assertTrue(bytes instanceof io.netty.util.AsciiString);
    assertEquals(token, bytes.toString());
    assertTrue(bytes == ascii.of(token), "the same value is encoded once");
    assertEquals("alice", ascii.of("alice"));
    var unicode = "\u00e9".repeat(70);
    assertTrue(unicode == ascii.of(unicode), "non-ASCII is left as it is");
  }

  @Test
  void asciiValues_aLongUsernameAndTheAssertion_areEachEncodedOnce() {
    var ascii = new RelayLane.AsciiValues();
    var user = dev.stepgate.identity.HeaderText.encode("王".repeat(10)); // 97 ASCII characters
    var token = "eyJ" + "a".repeat(100);
    var userBytes = ascii.of(user);
    var tokenBytes = ascii.of(token);
    for (int i = 0; i < 3; i++) {
      assertTrue(userBytes == ascii.of(user), "request " + i + ": the username's bytes are kept");
      assertTrue(tokenBytes == ascii.of(token), "request " + i + ": the assertion's bytes are kept");
    }
    assertEquals(user, userBytes.toString());
  }

  @Test
  void keepAliveRequests_areRelayed_overOneUpstreamConnection() throws Exception {
    start((c, head) -> c.ok("hi " + path(head)), "");
    try (var client = new RawClient(gateway.port())) {
      for (int i = 0; i < 5; i++) {
        var r = client.send(get("/r" + i, "X-Stepgate-User: mallory")).read();
        assertEquals(200, r.status());
        assertEquals("hi /r" + i, r.body());
      }
    }
    assertEquals(5, relayed(gateway));
    assertEquals(1, upstream.connections());
    var head = upstream.heads().get(0).toLowerCase();
    assertTrue(head.startsWith("get /r0 http/1.1\r\n"), head);
    assertTrue(head.contains("\r\nhost: " + URI.create(upstream.url()).getAuthority() + "\r\n"), head);
    assertTrue(head.contains("\r\nx-forwarded-for: 127.0.0.1\r\n"), head);
    assertTrue(head.contains("\r\nx-forwarded-host: localhost:" + gateway.port() + "\r\n"), head);
    assertFalse(head.contains("mallory"), head);
  }

  @Test
  void requestsOnlyTheOrdinaryPathServes_areNotRelayed() throws Exception {
    start((c, head) -> {
      c.body(head);
      c.ok("hi " + path(head));
    }, "");
    try (var client = new RawClient(gateway.port())) {
      var r = client.send("GET /old HTTP/1.0\r\nHost: localhost:" + gateway.port() + "\r\nConnection: keep-alive\r\n\r\n").read();
      assertEquals("hi /old", r.body());
    }
    try (var client = new RawClient(gateway.port())) {
      client.send("POST /expect HTTP/1.1\r\nHost: localhost:" + gateway.port() + "\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n");
      assertEquals(100, client.read().status());
      assertEquals("hi /expect", client.send("ab").read().body());
      assertEquals(200, client.send(get("/.stepgate/healthz")).read().status());
      assertEquals(400, client.send(get("/a/..%2f/b")).read().status());
    }
    try (var client = new RawClient(gateway.port())) {
      assertEquals(421, client.send("GET / HTTP/1.1\r\nHost: evil.example\r\n\r\n").read().status());
    }
    assertEquals(0, relayed(gateway));
    assertEquals(2, upstream.heads().size());
  }

  @Test
  void refusalsAndSignInAnswers_comeFromTheOrdinaryPath_relayedRequestsStillPass() throws Exception {
    upstream = new ScriptedUpstream((c, head) -> c.ok("hi " + path(head)));
    gateway = Gateways.withPolicy(upstream.url(), dir, Gateways.ADMIN_DENIED_PRIVATE_SIGNED_IN, "").gateway();
    try (var client = new RawClient(gateway.port())) {
      assertEquals(403, client.send(get("/admin/x", "Accept: application/json")).read().status());
      assertEquals(401, client.send(get("/private/x", "Accept: application/json")).read().status());
      assertEquals("hi /open", client.send(get("/open")).read().body());
    }
    assertEquals(1, relayed(gateway));
    assertEquals(1, upstream.heads().size());
  }

  @Test
  void pipelinedRequests_relayedAndAnsweredByTheGateway_comeBackInOrder() throws Exception {
    start((c, head) -> c.ok("hi " + path(head)), "");
    try (var client = new RawClient(gateway.port())) {
      client.send(get("/a") + get("/.stepgate/healthz") + get("/b") + get("/.stepgate/nothing") + get("/c"));
      assertEquals("hi /a", client.read().body());
      assertEquals("ok\n", client.read().body());
      assertEquals("hi /b", client.read().body());
      assertEquals(404, client.read().status());
      assertEquals("hi /c", client.read().body());
      assertEquals("hi /d", client.send(get("/d")).read().body());
    }
    long relayed = relayed(gateway);
    assertTrue(relayed >= 2, "the first and the last request at least, got " + relayed);
    assertEquals(4, upstream.heads().size());
  }

  @Test
  void manyPipelinedGatewayRequests_behindARelayedOne_areAllAnswered() throws Exception {
    // More than Vert.x queues before it pauses reading (8): reading must resume, in Vert.x's hands.
    start((c, head) -> c.ok("hi " + path(head)), "");
    try (var client = new RawClient(gateway.port())) {
      var batch = new StringBuilder(get("/first"));
      for (int i = 0; i < 30; i++) batch.append(get("/.stepgate/healthz"));
      client.send(batch.append(get("/last")).toString());
      assertEquals("hi /first", client.read().body());
      for (int i = 0; i < 30; i++) assertEquals("ok\n", client.read().body(), "response " + i);
      assertEquals("hi /last", client.read().body());
      assertEquals("hi /again", client.send(get("/again")).read().body());
    }
  }

  @Test
  void upstreamAnsweringBeforeTheBody_restOfTheBodyIsDropped_connectionGoesOn() throws Exception {
    start((c, head) -> {
      if (head.startsWith("POST")) {
        c.write("HTTP/1.1 413 Payload Too Large\r\nContent-Length: 4\r\n\r\nnope");
        c.body(head); // a server may read the rest after answering; the gateway still sends it
        return;
      }
      c.ok("fine");
    }, "");
    try (var client = new RawClient(gateway.port())) {
      client.send("POST /up HTTP/1.1\r\nHost: localhost:" + gateway.port() + "\r\nContent-Length: 20000\r\n\r\n" + "x".repeat(1000));
      var r = client.read();
      assertEquals(413, r.status());
      assertEquals("nope", r.body());
      client.send("y".repeat(19_000));
      assertEquals("fine", client.send(get("/next")).read().body());
    }
    assertEquals(2, relayed(gateway));
  }

  @Test
  void upstreamClosingMidResponse_closesTheClientConnection() throws Exception {
    start((c, head) -> {
      c.write("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789");
      c.close();
    }, "");
    try (var client = new RawClient(gateway.port())) {
      var e = assertThrows(IOException.class, () -> client.send(get("/cut")).read());
      assertTrue(e.getMessage().contains("mid-response"), e.getMessage());
    }
  }

  @Test
  void malformedChunkFromTheUpstream_closesTheClientConnection() throws Exception {
    start((c, head) -> c.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\nzz\r\n"), "");
    try (var client = new RawClient(gateway.port())) {
      // never a response that looks complete: the connection ends (before or after part of the body)
      assertThrows(IOException.class, () -> client.send(get("/bad-chunk")).read());
    }
  }

  @Test
  void upstreamClosingBeforeAnswering_is502_andTheClientConnectionGoesOn() throws Exception {
    start((c, head) -> c.close(), "");
    try (var client = new RawClient(gateway.port())) {
      var r = client.send(get("/gone", "Accept: application/json")).read();
      assertEquals(502, r.status());
      assertEquals("application/problem+json", r.headers().get("content-type"));
      assertTrue(r.body().contains("urn:stepgate:problem:upstream-unavailable"), r.body());
      upstream.script((c, head) -> c.ok("back"));
      assertEquals("back", client.send(get("/again")).read().body());
    }
  }

  @Test
  void informationalResponses_areNotPassedOn() throws Exception {
    start((c, head) -> {
      c.write("HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n");
      c.ok("after hints");
    }, "");
    try (var client = new RawClient(gateway.port())) {
      var r = client.send(get("/hints")).read();
      assertEquals(200, r.status());
      assertEquals("after hints", r.body());
    }
  }

  @Test
  void aResponseFramedByClosing_reachesTheClientChunked() throws Exception {
    start((c, head) -> {
      c.write("HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the end");
      c.close();
    }, "");
    try (var client = new RawClient(gateway.port())) {
      for (int i = 0; i < 2; i++) {
        var r = client.send(get("/old")).read();
        assertEquals("chunked", r.headers().get("transfer-encoding"));
        assertEquals("until the end", r.body());
      }
    }
    assertEquals(2, upstream.connections());
  }

  @Test
  void headAndBodylessStatuses_carryNoBody_andFramingHolds() throws Exception {
    start((c, head) -> {
      switch (path(head)) {
        case "/nc" -> c.write("HTTP/1.1 204 No Content\r\n\r\n");
        case "/nm" -> c.write("HTTP/1.1 304 Not Modified\r\nETag: \"x\"\r\n\r\n");
        default -> {
          if (head.startsWith("HEAD")) c.write("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 42\r\n\r\n");
          else c.ok("body");
        }
      }
    }, "");
    try (var client = new RawClient(gateway.port())) {
      var head = client.send("HEAD /h HTTP/1.1\r\nHost: localhost:" + gateway.port() + "\r\n\r\n").read(true);
      assertEquals(200, head.status());
      assertEquals("42", head.headers().get("content-length"));
      assertTrue(head.raw().endsWith("\r\n\r\n"), head.raw());
      assertEquals(204, client.send(get("/nc")).read().status());
      assertEquals(304, client.send(get("/nm")).read().status());
      assertEquals("body", client.send(get("/x")).read().body());
    }
    assertEquals(4, relayed(gateway));
  }

  @Test
  void trailersFromTheClient_neverReachTheUpstream() throws Exception {
    start((c, head) -> {
      c.body(head);
      c.ok("got it");
    }, "");
    try (var client = new RawClient(gateway.port())) {
      var r = client.send("POST /t HTTP/1.1\r\nHost: localhost:" + gateway.port() + "\r\nTransfer-Encoding: chunked\r\n\r\n"
          + "5\r\nhello\r\n0\r\nX-Stepgate-User: mallory\r\n\r\n").read();
      assertEquals("got it", r.body());
    }
    assertEquals(1, relayed(gateway));
    var body = upstream.bodies().get(0);
    assertTrue(body.contains("hello"), body);
    assertFalse(body.contains("mallory"), body);
  }

  @Test
  void connectionClose_fromTheClient_isHonoured() throws Exception {
    start((c, head) -> c.ok("bye"), "");
    try (var client = new RawClient(gateway.port())) {
      var r = client.send(get("/last", "Connection: close")).read();
      assertEquals("bye", r.body());
      assertEquals("close", r.headers().get("connection"));
      assertTrue(client.closedWithin(2000));
    }
    assertEquals(1, relayed(gateway));
  }

  @Test
  void clientGoneMidResponse_theUpstreamConnectionIsClosedNotReused() throws Exception {
    start((c, head) -> {
      if (path(head).equals("/big")) {
        c.write("HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\n" + "z".repeat(1000));
        c.awaitClose(10_000);
        return;
      }
      c.ok("small");
    }, "");
    try (var client = new RawClient(gateway.port())) {
      client.send(get("/big"));
      Thread.sleep(200);
    }
    for (int i = 0; i < 50 && upstream.closedByPeer() == 0; i++) Thread.sleep(100);
    assertEquals(1, upstream.closedByPeer(), "the cut exchange's upstream connection is closed");
    try (var client = new RawClient(gateway.port())) {
      assertEquals("small", client.send(get("/small")).read().body());
    }
    assertEquals(2, upstream.connections());
  }

  @Test
  void poolSize_limitsUpstreamConnections_laterRequestsWait() throws Exception {
    start((c, head) -> {
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      c.ok("served " + path(head));
    }, "proxy: { pool_size: 1 }\n");
    var pool = Executors.newFixedThreadPool(4);
    try {
      var answers = new ArrayList<Future<String>>();
      for (int i = 0; i < 4; i++) {
        int n = i;
        answers.add(pool.submit((Callable<String>) () -> {
          try (var client = new RawClient(gateway.port())) {
            return client.send(get("/p" + n)).read().body();
          }
        }));
      }
      for (int i = 0; i < 4; i++) assertEquals("served /p" + i, answers.get(i).get(20, TimeUnit.SECONDS));
    } finally {
      pool.shutdownNow();
    }
    assertEquals(1, upstream.connections());
  }

  @Test
  void responseTimeout_countsFromTheEndOfTheRequestBody() throws Exception {
    start((c, head) -> {
      if (path(head).equals("/never")) {
        c.awaitClose(10_000);
        return;
      }
      c.body(head);
      c.ok("in time");
    }, "proxy: { response_timeout: 1s }\n");
    try (var client = new RawClient(gateway.port())) {
      client.send("POST /slow-upload HTTP/1.1\r\nHost: localhost:" + gateway.port() + "\r\nContent-Length: 10\r\n\r\n12345");
      Thread.sleep(1600);
      assertEquals("in time", client.send("67890").read().body());
      long t0 = System.nanoTime();
      var r = client.send(get("/never", "Accept: application/json")).read();
      assertEquals(504, r.status());
      assertTrue(r.body().contains("urn:stepgate:problem:upstream-timeout"), r.body());
      long ms = (System.nanoTime() - t0) / 1_000_000;
      assertTrue(ms >= 900 && ms < 5000, "answered after " + ms + " ms");
    }
  }

  @Test
  void idleUpstreamConnections_closeAfterTheResponseTimeout() throws Exception {
    start((c, head) -> c.ok("once"), "proxy: { response_timeout: 1s }\n");
    try (var client = new RawClient(gateway.port())) {
      assertEquals("once", client.send(get("/once")).read().body());
    }
    for (int i = 0; i < 50 && upstream.closedByPeer() == 0; i++) Thread.sleep(100);
    assertEquals(1, upstream.closedByPeer());
  }
}
