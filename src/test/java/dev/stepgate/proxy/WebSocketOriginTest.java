package dev.stepgate.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stepgate.server.Gateway;
import dev.stepgate.testing.Gateways;
import dev.stepgate.testing.PasskeyUser;
import dev.stepgate.testing.RawHttp;
import dev.stepgate.testing.TestUpstream;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A WebSocket handshake carries the browser's cookies to any site's script: an upgrade whose
 * {@code Origin} is not one the gateway serves is refused on every route that is not public
 * (issue 10 item 10, RFC 6455 §10.2); one without {@code Origin} is a non-browser client.
 */
class WebSocketOriginTest {
  static final String POLICY = """
      version: 1
      defaults: { require: authenticated }
      rules:
        - name: public-feed
          match: { paths: ["/ws/public"] }
          require: public
        - name: closed
          match: { paths: ["/ws/closed"] }
          require: deny
      """;

  @TempDir Path dir;
  TestUpstream upstream;
  Gateway gateway;
  String base;
  String cookie;

  /** Whether the gateway relays admitted requests (see {@link RelayLane}); subclasses test the other path. */
  boolean relay() {
    return true;
  }

  @BeforeEach
  void start() throws Exception {
    upstream = new TestUpstream();
    var started = Gateways.withPolicy(upstream.url(), dir, POLICY,
        "webauthn: { origins: [\"https://app.example.com\"] }\nproxy: { relay: " + relay() + " }\n");
    gateway = started.gateway();
    base = started.base();
    var user = new PasskeyUser(base);
    user.enroll("wanda");
    cookie = user.cookie();
  }

  @AfterEach
  void stop() throws Exception {
    gateway.close();
    upstream.close();
  }

  /** A browser-style WebSocket handshake to {@code path} with extra header lines; the raw answer. */
  String upgrade(String path, String... headerLines) throws Exception {
    var b = new StringBuilder("GET " + path + " HTTP/1.1\r\nHost: localhost:" + gateway.port() + "\r\n"
        + "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
        + "Sec-WebSocket-Version: 13\r\n");
    for (var h : headerLines) b.append(h).append("\r\n");
    return RawHttp.send(gateway.port(), b.append("\r\n").toString());
  }

  long upgradesReceived() {
    return upstream.received().stream().filter(r -> r.method().equals("WS")).count();
  }

  @Test
  void upgradeFromAnotherSite_toARouteThatIsNotPublic_is403_andNeverReachesTheApp() throws Exception {
    var refused = upgrade("/ws/account", "Origin: http://evil.example", "Cookie: " + cookie);
    assertEquals(403, RawHttp.status(refused), refused);
    assertTrue(refused.endsWith("{\"type\":\"urn:stepgate:problem:cross-origin-websocket\",\"title\":\"Not allowed\","
        + "\"status\":403,\"detail\":\"This connection was opened from a page of another site.\"}"), refused);
    for (var origin : new String[] {"Origin: null", "Origin: http://localhost:1", "Origin: https://localhost:" + gateway.port(),
        "Origin: http://app.example.com"}) {
      assertEquals(403, RawHttp.status(upgrade("/ws/account", origin, "Cookie: " + cookie)), origin);
    }
    assertEquals(403, RawHttp.status(upgrade("/ws/account", "Origin: " + base, "Origin: http://evil.example",
        "Cookie: " + cookie)), "two origins");
    // Signed in or not, and whatever the rule says otherwise.
    assertEquals(403, RawHttp.status(upgrade("/ws/account", "Origin: http://evil.example")));
    assertEquals(403, RawHttp.status(upgrade("/ws/closed", "Origin: http://evil.example", "Cookie: " + cookie)));
    assertEquals(0, upgradesReceived());
  }

  @Test
  void upgradeFromAnOriginTheGatewayServes_passes() throws Exception {
    for (var origin : new String[] {base, "http://LOCALHOST:" + gateway.port(), "https://app.example.com",
        "https://app.example.com:443"}) {
      var r = upgrade("/ws/account", "Origin: " + origin, "Cookie: " + cookie);
      assertEquals(101, RawHttp.status(r), origin + "\n" + r);
    }
    assertEquals(4, upgradesReceived());
  }

  @Test
  void upgradeWithoutOrigin_isANonBrowserClient_andPassesToThePolicy() throws Exception {
    assertEquals(101, RawHttp.status(upgrade("/ws/account", "Cookie: " + cookie)));
    assertEquals(401, RawHttp.status(upgrade("/ws/account")));
    assertEquals(403, RawHttp.status(upgrade("/ws/closed", "Cookie: " + cookie)));
    assertEquals(1, upgradesReceived());
  }

  @Test
  void upgradeToAPublicRoute_passesFromAnySite() throws Exception {
    assertEquals(101, RawHttp.status(upgrade("/ws/public", "Origin: http://evil.example")));
    assertEquals(1, upgradesReceived());
  }
}
