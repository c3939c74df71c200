package dev.stepgate.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stepgate.server.Gateway;
import dev.stepgate.testing.Gateways;
import dev.stepgate.testing.PasskeyUser;
import dev.stepgate.testing.RawHttp;
import dev.stepgate.testing.TestUpstream;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The gateway's session cookie never reaches the app (issue 10 item 3), on every way a request
 * goes upstream: a signed-in request (relayed, or on Vert.x's path in the twin), a WebSocket
 * upgrade, and a held form POST replayed after its step-up. Every other cookie arrives byte for
 * byte, in order; the upstream's {@code Cookie} header is asserted exactly.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GatewayCookieTest {
  static final String POLICY = """
      version: 1
      defaults: { require: public }
      rules:
        - name: private
          match: { paths: ["/private/**"] }
          require: authenticated
        - name: change-email
          match: { methods: [POST], paths: ["/account/email"] }
          require: step_up
          max_age: 5m
      """;

  TestUpstream upstream;
  Gateway gateway;
  String base;
  PasskeyUser user;
  /** {@code stepgate=<session id>}. */
  String session;
  HttpClient plain = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(5)).build();

  /** Whether the gateway relays admitted requests (see {@link RelayLane}); the twin tests the other path. */
  boolean relay() {
    return true;
  }

  @BeforeAll
  void start(@TempDir Path dir) throws Exception {
    upstream = new TestUpstream();
    var started = Gateways.withPolicy(upstream.url(), dir, POLICY, "proxy: { relay: " + relay() + " }\n");
    gateway = started.gateway();
    base = started.base();
    user = new PasskeyUser(base);
    user.enroll("carol");
    session = user.cookie();
    assertTrue(session.startsWith("stepgate="), session);
  }

  @AfterAll
  void stop() throws Exception {
    gateway.close();
    upstream.close();
  }

  @BeforeEach
  void clear() {
    upstream.clear();
    session = user.cookie(); // a step-up (heldPostReplay) renews it
  }

  /** Sends {@code GET path} with exactly these {@code Cookie} lines; returns every Cookie header the upstream got. */
  private List<String> upstreamCookies(String path, String... cookieLines) throws Exception {
    var raw = new StringBuilder("GET " + path + " HTTP/1.1\r\nHost: localhost:" + gateway.port() + "\r\n");
    for (var line : cookieLines) raw.append("Cookie: ").append(line).append("\r\n");
    raw.append("Connection: close\r\n\r\n");
    long relayedBefore = relay() ? RelayTest.relayed(gateway) : 0;
    assertEquals(200, RawHttp.status(RawHttp.send(gateway.port(), raw.toString())));
    if (relay()) assertEquals(relayedBefore + 1, RelayTest.relayed(gateway), "the relay forwarded it");
    return upstream.last().headers().getAll("Cookie");
  }

  private String sub(String template) {
    return template.replace("{session}", session);
  }

  @ParameterizedTest(name = "[{0}] reaches the app as [{1}]")
  @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
      "a=1; {session}; b=2|a=1; b=2",
      "{session}; a=1|a=1",
      "a=1; {session}|a=1",
      "a=1;{session};b=2|a=1;b=2",
      "stepgatex=1; xstepgate=2; {session}; Stepgate=3|stepgatex=1; xstepgate=2; Stepgate=3",
      "a=\"x y\";  {session} ;b=%41|a=\"x y\";  b=%41"})
  void signedIn_gatewayCookieAmongOthers_isRemovedTheRestKeptInOrder(String sent, String received) throws Exception {
    assertEquals(List.of(received), upstreamCookies("/private/x", sub(sent)));
    assertEquals("carol", upstream.last().headers().get("X-Stepgate-User"), "the gateway still read the session");
  }

  @Test
  void signedIn_onlyTheGatewayCookie_sendsNoCookieHeader() throws Exception {
    assertEquals(List.of(), upstreamCookies("/private/x", session));
    assertEquals("carol", upstream.last().headers().get("X-Stepgate-User"));
  }

  @Test
  void anonymous_noGatewayCookie_isForwardedByteForByte() throws Exception {
    assertEquals(List.of("a=1;b=2 ;  c=3; Stepgate=4"), upstreamCookies("/x", "a=1;b=2 ;  c=3; Stepgate=4"));
  }

  @Test
  void anonymous_staleGatewayCookie_isRemovedToo() throws Exception {
    assertEquals(List.of("a=1"), upstreamCookies("/x", "stepgate=not-a-session; a=1"));
  }

  @Test
  void severalCookieHeaders_areEachFilteredAndSentAsOne() throws Exception {
    // RFC 6265 §5.4 wants one Cookie header, RFC 9113 §8.2.3 joins HTTP/2's several with "; ".
    assertEquals(List.of("a=1; b=2; c=3"), upstreamCookies("/private/x", sub("a=1; {session}"), session, "b=2; c=3"));
  }

  @Test
  void webSocketUpgrade_gatewayCookieIsRemoved() throws Exception {
    var ws = plain.newWebSocketBuilder().header("Cookie", "a=1; " + session + "; b=2")
        .buildAsync(URI.create("ws://localhost:" + gateway.port() + "/private/ws"), new WebSocket.Listener() {})
        .get(10, TimeUnit.SECONDS);
    try {
      var got = upstream.last();
      assertEquals("WS", got.method());
      assertEquals(List.of("a=1; b=2"), got.headers().getAll("Cookie"));
      assertEquals("carol", got.headers().get("X-Stepgate-User"));
    } finally {
      ws.abort();
    }
  }

  @Test
  void heldPostReplay_gatewayCookieIsRemoved() throws Exception {
    var post = plain.send(HttpRequest.newBuilder(URI.create(base + "/account/email"))
        .POST(HttpRequest.BodyPublishers.ofString("email=c%40new.example"))
        .header("Accept", "text/html").header("Content-Type", "application/x-www-form-urlencoded")
        .header("Cookie", "a=1; " + user.cookie() + "; b=2").build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(303, post.statusCode(), post.body());
    var location = post.headers().firstValue("Location").orElseThrow();
    var heldId = location.substring(location.indexOf("held=") + 5);
    var done = user.stepUp(new JsonObject().put("held", heldId));
    var replayed = user.send("GET", done.getString("resume"), null, "Accept", "text/html");
    assertEquals(200, replayed.statusCode(), replayed.body());
    var got = upstream.last();
    assertEquals("/account/email", got.uri());
    assertEquals(List.of("a=1; b=2"), got.headers().getAll("Cookie"));
    assertEquals("carol", got.headers().get("X-Stepgate-User"));
  }
}
