package dev.stepgate.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.stepgate.identity.HeaderText;
import dev.stepgate.server.Gateway;
import dev.stepgate.testing.Gateways;
import dev.stepgate.testing.PasskeyUser;
import dev.stepgate.testing.TestUpstream;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Usernames outside Latin-1 reach the app as distinct, decodable bytes (issue 10 item 2): two
 * users {@code 王伟} and {@code 李娜} signed in through a real gateway, in every identity header,
 * on the proxy path and in a forward-auth answer. (Netty reads header bytes as ISO-8859-1, so each
 * character the upstream recorded is one byte it received.)
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class IdentityHeaderEncodingTest {
  static final List<String> IDENTITY_HEADERS =
      List.of("X-Stepgate-User", "Remote-User", "Remote-Name", "X-Forwarded-User");
  static final String WANG_WEI = "UTF-8''%E7%8E%8B%E4%BC%9F";
  static final String LI_NA = "UTF-8''%E6%9D%8E%E5%A8%9C";

  TestUpstream upstream;
  Gateway gateway;
  String base;
  PasskeyUser wang;
  PasskeyUser li;

  /** Whether the gateway relays admitted requests (see {@link RelayLane}); the twin tests the other path. */
  boolean relay() {
    return true;
  }

  @BeforeAll
  void start(@TempDir Path dir) throws Exception {
    upstream = new TestUpstream();
    // trusted_proxies: this test is also the proxy asking /.stepgate/auth.
    var started = Gateways.withPolicy(upstream.url(), dir, Gateways.ADMIN_DENIED_PRIVATE_SIGNED_IN,
        "proxy: { relay: " + relay() + " }\nassertion: { compat_headers: [authelia, oauth2-proxy] }\n"
            + "trusted_proxies: [127.0.0.1/32]\n");
    gateway = started.gateway();
    base = started.base();
    wang = new PasskeyUser(base);
    wang.enroll("王伟");
    li = new PasskeyUser(base);
    li.enroll("李娜");
  }

  @AfterAll
  void stop() throws Exception {
    gateway.close();
    upstream.close();
  }

  /** The identity headers the upstream received for one signed-in request of {@code user}. */
  private Map<String, String> upstreamGot(PasskeyUser user) throws Exception {
    upstream.clear();
    var resp = user.send("GET", "/private/who", null);
    assertEquals(200, resp.statusCode(), resp.body());
    var got = new LinkedHashMap<String, String>();
    var headers = upstream.last().headers();
    for (var name : IDENTITY_HEADERS) got.put(name, String.join(" | ", headers.getAll(name)));
    return got;
  }

  private static Map<String, String> all(String value) {
    var out = new LinkedHashMap<String, String>();
    for (var name : IDENTITY_HEADERS) out.put(name, value);
    return out;
  }

  @Test
  void proxied_usersOutsideLatin1_reachTheAppAsDistinctUtf8ExtValues() throws Exception {
    var wangGot = upstreamGot(wang);
    var wangToken = upstream.last().headers().get("X-Stepgate-Assertion");
    var liGot = upstreamGot(li);
    assertEquals(all(WANG_WEI), wangGot);
    assertEquals(all(LI_NA), liGot);
    assertNotEquals(wangGot.get("X-Stepgate-User"), liGot.get("X-Stepgate-User"));
    // Decoded, the header says what the assertion's claim says.
    assertEquals("王伟", HeaderText.decode(wangGot.get("X-Stepgate-User")));
    assertEquals("王伟", wang.verify(wangToken).getStringClaim("preferred_username"));
    if (relay()) assertEquals(2, RelayTest.relayed(gateway), "both requests took the relay");
  }

  @Test
  void forwardAuth_usersOutsideLatin1_areAnsweredAsDistinctUtf8ExtValues() throws Exception {
    var wangGot = forwardAuth(wang);
    var liGot = forwardAuth(li);
    assertEquals(all(WANG_WEI), wangGot);
    assertEquals(all(LI_NA), liGot);
    assertNotEquals(wangGot.get("X-Stepgate-User"), liGot.get("X-Stepgate-User"));
  }

  private Map<String, String> forwardAuth(PasskeyUser user) throws Exception {
    HttpResponse<String> resp = user.send("GET", "/.stepgate/auth", null,
        "X-Original-Method", "GET", "X-Original-URL", base + "/private/who");
    assertEquals(200, resp.statusCode(), resp.body());
    var got = new LinkedHashMap<String, String>();
    for (var name : IDENTITY_HEADERS) got.put(name, String.join(" | ", resp.headers().allValues(name)));
    return got;
  }
}
