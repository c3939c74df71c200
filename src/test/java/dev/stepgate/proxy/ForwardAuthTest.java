package dev.stepgate.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jwt.JWTClaimsSet;
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
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /.stepgate/auth} spoken to directly, as nginx, Traefik and Caddy speak to it: only by a
 * peer in {@code trusted_proxies}, every decision, both header families, malformed and ambiguous
 * descriptions, hosts the gateway does not serve, and the same decision (and the same one-time
 * step-up) as the in-line proxy.
 */
class ForwardAuthTest {
  static final String POLICY = """
      version: 1
      defaults: { require: authenticated }
      rules:
        - name: home
          match: { paths: ["/"] }
          require: public
        - name: change-email
          description: Change the email address on your account
          match: { methods: [POST], paths: ["/account/email"] }
          require: step_up
          max_age: 5m
        - name: payout
          match: { methods: [POST], paths: ["/payouts/destination"] }
          require: step_up
          max_age: 0s
        - name: admin
          match: { paths: ["/admin/**"] }
          require: deny
      """;

  @TempDir Path dir;
  TestUpstream upstream;
  Gateway gateway;
  String base;
  PasskeyUser user; // keeps the session cookie, for the JSON API and the in-line proxy
  HttpClient browser;
  HttpClient plain; // sends exactly the headers given

  @BeforeEach
  void start() throws Exception {
    upstream = new TestUpstream();
    // The tests' clients are the operator's proxy (127.0.0.1); 127.0.0.2 plays any other peer.
    var started = Gateways.withPolicy(upstream.url(), dir, POLICY,
        "assertion: { compat_headers: [authelia] }\ntrusted_proxies: [127.0.0.1/32]\n");
    gateway = started.gateway();
    base = started.base();
    user = new PasskeyUser(base);
    browser = user.http;
    plain = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(5)).build();
  }

  @AfterEach
  void stop() throws Exception {
    gateway.close();
    upstream.close();
  }

  // --- helpers ---------------------------------------------------------------------------------

  HttpResponse<String> send(HttpClient client, String method, String path, String body, String... headers) throws Exception {
    return user.send(client, method, path, body, headers);
  }

  /** A Traefik/Caddy-style forward-auth call describing {@code method path} on the public host. */
  HttpResponse<String> traefik(String cookie, String method, String uri, String... extra) throws Exception {
    var h = new ArrayList<>(List.of("X-Forwarded-Method", method, "X-Forwarded-Proto", "http",
        "X-Forwarded-Host", "localhost:" + URI.create(base).getPort(), "X-Forwarded-Uri", uri));
    if (cookie != null) h.addAll(List.of("Cookie", cookie));
    h.addAll(List.of(extra));
    return send(plain, "GET", "/.stepgate/auth", null, h.toArray(String[]::new));
  }

  /** An nginx auth_request-style call. */
  HttpResponse<String> nginx(String cookie, String method, String uri, String... extra) throws Exception {
    var h = new ArrayList<>(List.of("X-Original-Method", method, "X-Original-URL", base + uri));
    if (cookie != null) h.addAll(List.of("Cookie", cookie));
    h.addAll(List.of(extra));
    return send(plain, "GET", "/.stepgate/auth", null, h.toArray(String[]::new));
  }

  /** Registers {@code username} and returns the session cookie ({@code name=value}). */
  String signIn(String username) throws Exception {
    user.enroll(username);
    return user.cookie();
  }

  String cookie() {
    return user.cookie();
  }

  /** A user-verified step-up; the session id is renewed: returns the new cookie. */
  String stepUp() throws Exception {
    return stepUp("payout");
  }

  /** A step-up confirmed for {@code rule} (what the prompt showed the user). */
  String stepUp(String rule) throws Exception {
    user.stepUp(new JsonObject().put("rule", rule));
    return user.cookie();
  }

  JsonObject api(String path, JsonObject body) throws Exception {
    return user.api(path, body);
  }

  JWTClaimsSet verify(String token) throws Exception {
    return user.verify(token);
  }

  static String header(HttpResponse<?> r, String name) {
    return r.headers().firstValue(name).orElse(null);
  }

  // --- decisions -------------------------------------------------------------------------------

  @Test
  void allow_public_anonymous_is200WithoutIdentity() throws Exception {
    for (var r : List.of(traefik(null, "GET", "/"), nginx(null, "GET", "/"))) {
      assertEquals(200, r.statusCode(), r.body());
      assertEquals("", r.body());
      assertNull(header(r, "X-Stepgate-User"));
      assertNull(header(r, "X-Stepgate-Assertion"));
    }
  }

  @Test
  void allow_signedIn_carriesIdentityHeadersAndAVerifiableAssertion() throws Exception {
    var cookie = signIn("alice");
    for (var r : List.of(traefik(cookie, "GET", "/account?tab=1"), nginx(cookie, "GET", "/account?tab=1"))) {
      assertEquals(200, r.statusCode(), r.body());
      assertEquals("", r.body());
      assertEquals("alice", header(r, "X-Stepgate-User"));
      assertEquals("alice", header(r, "Remote-User")); // the authelia compat family
      assertEquals("no-store", header(r, "Cache-Control"));
      var claims = verify(header(r, "X-Stepgate-Assertion"));
      assertEquals(base, claims.getIssuer());
      assertEquals(List.of(upstream.url()), claims.getAudience());
      assertEquals("alice", claims.getStringClaim("preferred_username"));
      assertEquals("urn:stepgate:passkey", claims.getStringClaim("acr"));
      assertEquals("defaults", claims.getStringClaim("rule"));
    }
    assertTrue(upstream.received().isEmpty(), "forward-auth never talks to the upstream");
  }

  @Test
  void login_browserViaTraefikOrCaddy_is302ToTheSignInPage() throws Exception {
    var r = traefik(null, "GET", "/account?x=1", "Accept", "text/html,application/xhtml+xml");
    assertEquals(302, r.statusCode());
    assertEquals(base + "/.stepgate/login?rd=%2Faccount%3Fx%3D1", header(r, "Location"));
    assertEquals("no-store", header(r, "Cache-Control"));
  }

  @Test
  void login_apiClient_is401WithBearerChallengeAndLocation() throws Exception {
    for (var r : List.of(traefik(null, "GET", "/account", "Accept", "application/json"),
        nginx(null, "GET", "/account", "Accept", "application/json"))) {
      assertEquals(401, r.statusCode());
      assertEquals("Bearer error=\"invalid_token\", error_description=\"login required\"", header(r, "WWW-Authenticate"));
      assertEquals(base + "/.stepgate/login?rd=%2Faccount", header(r, "Location"));
      assertNull(header(r, ForwardAuth.REDIRECT_HEADER));
      var problem = new JsonObject(r.body());
      assertEquals("urn:stepgate:problem:login-required", problem.getString("type"));
      assertEquals(base + "/.stepgate/login?rd=%2Faccount", problem.getString("loginUrl"));
      assertEquals("defaults", problem.getString("rule"));
    }
  }

  @Test
  void login_browserViaNginx_is401NamingTheRedirect() throws Exception {
    // nginx's auth_request only understands 2xx/401/403: the redirect is its config's job.
    var r = nginx(null, "GET", "/account", "Accept", "text/html");
    assertEquals(401, r.statusCode());
    assertEquals(base + "/.stepgate/login?rd=%2Faccount", header(r, "Location"));
    assertEquals(base + "/.stepgate/login?rd=%2Faccount", header(r, ForwardAuth.REDIRECT_HEADER));
    assertTrue(header(r, "WWW-Authenticate").startsWith("Bearer error=\"invalid_token\""));
  }

  @Test
  void stepUp_apiClientGetsRfc9470Challenge_browserIsSentToTheStepUpPage() throws Exception {
    var cookie = signIn("bob");
    var api = traefik(cookie, "POST", "/account/email", "Accept", "application/json");
    assertEquals(401, api.statusCode());
    assertEquals("Bearer error=\"insufficient_user_authentication\", "
        + "error_description=\"a fresh passkey assertion is required\", max_age=300", header(api, "WWW-Authenticate"));
    assertEquals(base + "/.stepgate/step-up?rd=%2Faccount%2Femail", header(api, "Location"));
    var problem = new JsonObject(api.body());
    assertEquals("urn:stepgate:problem:step-up-required", problem.getString("type"));
    assertEquals(base + "/.stepgate/step-up?rd=%2Faccount%2Femail", problem.getString("stepUpUrl"));
    assertEquals(300, problem.getInteger("maxAge"));

    var page = traefik(cookie, "POST", "/account/email", "Accept", "text/html");
    assertEquals(302, page.statusCode());
    assertEquals(base + "/.stepgate/step-up?rd=%2Faccount%2Femail", header(page, "Location"));

    var viaNginx = nginx(cookie, "POST", "/account/email", "Accept", "text/html");
    assertEquals(401, viaNginx.statusCode());
    assertEquals(base + "/.stepgate/step-up?rd=%2Faccount%2Femail", header(viaNginx, ForwardAuth.REDIRECT_HEADER));

    cookie = stepUp("change-email"); // a step-up for the one-time payout rule would count for the payout only
    var after = traefik(cookie, "POST", "/account/email", "Accept", "application/json");
    assertEquals(200, after.statusCode(), after.body());
    var claims = verify(header(after, "X-Stepgate-Assertion"));
    assertEquals("urn:stepgate:step-up", claims.getStringClaim("acr"));
    assertEquals("change-email", claims.getStringClaim("rule"));
  }

  @Test
  void deny_is403_signedInOrNot() throws Exception {
    var cookie = signIn("dora");
    for (var r : List.of(traefik(null, "GET", "/admin/users"), traefik(cookie, "GET", "/admin/users", "Accept", "application/json"),
        nginx(cookie, "GET", "/admin/users", "Accept", "text/html"))) {
      assertEquals(403, r.statusCode());
      assertNull(header(r, "X-Stepgate-User"));
      assertNull(header(r, "Location"));
    }
    var json = traefik(cookie, "GET", "/admin/users", "Accept", "application/json");
    assertEquals("urn:stepgate:problem:forbidden", new JsonObject(json.body()).getString("type"));
  }

  @Test
  void maxAgeZero_stepUpIsConsumedOnce_sharedWithTheInlineProxy() throws Exception {
    var cookie = signIn("frank");
    cookie = stepUp();
    var first = traefik(cookie, "POST", "/payouts/destination", "Accept", "application/json");
    assertEquals(200, first.statusCode(), first.body());
    assertEquals("urn:stepgate:step-up", verify(header(first, "X-Stepgate-Assertion")).getStringClaim("acr"));
    assertEquals(401, traefik(cookie, "POST", "/payouts/destination", "Accept", "application/json").statusCode());
    // ...and the proxy agrees: it was used up.
    assertEquals(401, send(browser, "POST", "/payouts/destination", "x", "Accept", "application/json").statusCode());
    // One fresh step-up, used in-line, is not usable again through forward-auth either.
    cookie = stepUp();
    assertEquals(200, send(browser, "POST", "/payouts/destination", "x", "Accept", "application/json").statusCode());
    assertEquals(401, nginx(cookie, "POST", "/payouts/destination", "Accept", "application/json").statusCode());
  }

  @Test
  void sameDecisionAsTheInlineProxy() throws Exception {
    var cookie = signIn("gina");
    var anonymous = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    String[][] requests = {
        {"GET", "/"}, {"GET", "/account"}, {"GET", "/a/b/../c"}, {"POST", "/account/email"}, {"GET", "/account/email"},
        {"GET", "/admin"}, {"GET", "/admin/x"}, {"GET", "/%61dmin/x"}, {"GET", "/x//admin/..//admin/y"}, {"DELETE", "/admin"},
        {"GET", "/?q=1"}};
    for (var req : requests) {
      for (var who : new String[] {null, cookie}) {
        var inline = who == null
            ? send(anonymous, req[0], req[1], null, "Accept", "application/json")
            : send(browser, req[0], req[1], null, "Accept", "application/json");
        var t = traefik(who, req[0], req[1], "Accept", "application/json");
        var n = nginx(who, req[0], req[1], "Accept", "application/json");
        var what = req[0] + " " + req[1] + (who == null ? " anonymous" : " signed in");
        assertEquals(inline.statusCode(), t.statusCode(), what + " (X-Forwarded-*)");
        assertEquals(inline.statusCode(), n.statusCode(), what + " (X-Original-*)");
        assertEquals(header(inline, "WWW-Authenticate"), header(t, "WWW-Authenticate"), what);
      }
    }
  }

  // --- the description of the original request -----------------------------------------------

  @Test
  void missingOrIncompleteHeaders_are400Problems() throws Exception {
    var none = send(plain, "GET", "/.stepgate/auth", null, "Accept", "text/html");
    assertEquals(400, none.statusCode());
    var json = send(plain, "GET", "/.stepgate/auth", null);
    assertEquals(400, json.statusCode());
    assertEquals("application/problem+json", header(json, "Content-Type"));
    assertEquals("urn:stepgate:problem:bad-forward-auth", new JsonObject(json.body()).getString("type"));
    assertEquals(400, send(plain, "GET", "/.stepgate/auth", null, "X-Original-URL", base + "/account").statusCode());
    assertEquals(400, send(plain, "GET", "/.stepgate/auth", null, "X-Original-Method", "GET").statusCode());
    assertEquals(400, send(plain, "GET", "/.stepgate/auth", null, "X-Forwarded-Method", "GET",
        "X-Forwarded-Uri", "/account", "X-Forwarded-Host", "localhost").statusCode()); // no proto
    assertEquals(400, send(plain, "GET", "/.stepgate/auth", null, "X-Forwarded-Proto", "http",
        "X-Forwarded-Uri", "/account", "X-Forwarded-Host", "localhost").statusCode()); // no method
  }

  @Test
  void bothHeaderFamilies_areRefused() throws Exception {
    // A client can send the family its proxy does not overwrite: that must not choose the path.
    var r = traefik(null, "GET", "/admin/x", "X-Original-URL", base + "/", "X-Original-Method", "GET");
    assertEquals(400, r.statusCode());
    var n = nginx(null, "GET", "/admin/x", "X-Forwarded-Uri", "/");
    assertEquals(400, n.statusCode());
  }

  @Test
  void ambiguousOrMalformedOriginals_are400() throws Exception {
    for (var uri : List.of("/a%2fb", "/a/..%2fadmin", "/a;b", "/a\\b", "/%2561dmin", "/../admin", "admin", "/a#b", "/a%zz")) {
      assertEquals(400, traefik(null, "GET", uri).statusCode(), uri);
    }
    assertEquals(400, nginx(null, "GET", "/a%2fb").statusCode());
    assertEquals(400, send(plain, "GET", "/.stepgate/auth", null, "X-Original-URL", "ftp://localhost/", "X-Original-Method", "GET").statusCode());
    assertEquals(400, send(plain, "GET", "/.stepgate/auth", null, "X-Original-URL", "localhost/x", "X-Original-Method", "GET").statusCode());
    assertEquals(400, send(plain, "GET", "/.stepgate/auth", null, "X-Original-URL", "http://evil@localhost/x",
        "X-Original-Method", "GET").statusCode());
    assertEquals(400, traefik(null, "GE T", "/").statusCode());
    assertEquals(400, send(plain, "GET", "/.stepgate/auth", null, "X-Forwarded-Method", "GET", "X-Forwarded-Proto", "gopher",
        "X-Forwarded-Host", "localhost", "X-Forwarded-Uri", "/").statusCode());
    assertEquals(400, traefik(null, "GET", "/", "X-Forwarded-Uri", "/admin").statusCode()); // sent twice
  }

  @Test
  void nginxUrlWithoutPath_isTheRoot() throws Exception {
    var r = send(plain, "GET", "/.stepgate/auth", null, "X-Original-URL", base, "X-Original-Method", "GET");
    assertEquals(200, r.statusCode(), r.body());
    var q = send(plain, "GET", "/.stepgate/auth", null, "X-Original-URL", base + "?q=1", "X-Original-Method", "GET");
    assertEquals(200, q.statusCode(), q.body());
  }

  // --- who may ask ----------------------------------------------------------------------------

  static final String NOT_ALLOWED = "{\"type\":\"urn:stepgate:problem:forward-auth-not-allowed\",\"title\":\"Not allowed\","
      + "\"status\":403,\"detail\":\"Only the configured proxy may ask this gateway for decisions.\"}";

  /** A forward-auth call from {@code from}, written out byte for byte. */
  String rawCall(String from, String method, String... headerLines) throws Exception {
    var b = new StringBuilder(method + " /.stepgate/auth HTTP/1.1\r\nHost: localhost\r\n");
    for (var h : headerLines) b.append(h).append("\r\n");
    return RawHttp.sendFrom(from, gateway.port(), b.append("Connection: close\r\n\r\n").toString());
  }

  @Test
  void untrustedPeer_gets403ProblemJson_whateverItSends() throws Exception {
    signIn("ivan");
    var cookie = stepUp("payout"); // a one-time step-up a stranger's call must not spend
    String[][] calls = {
        {},
        {"X-Original-Method: GET", "X-Original-URL: " + base + "/"},
        {"X-Forwarded-Method: POST", "X-Forwarded-Proto: http", "X-Forwarded-Host: localhost", "X-Forwarded-Uri: /payouts/destination",
            "Cookie: " + cookie, "Accept: application/json"},
        {"X-Original-Method: GET", "X-Original-URL: " + base + "/account", "Cookie: " + cookie, "Accept: text/html"},
        {"X-Original-Method: GET", "X-Original-URL: http://other.example/", "X-Forwarded-Uri: /"},
        {"X-Forwarded-For: 127.0.0.1", "X-Real-IP: 127.0.0.1", "Forwarded: for=127.0.0.1", "X-Original-Method: GET",
            "X-Original-URL: " + base + "/account", "Cookie: " + cookie}};
    for (var call : calls) {
      for (var method : List.of("GET", "POST")) {
        var raw = rawCall("127.0.0.2", method, call);
        var what = method + " " + String.join(" | ", call);
        assertEquals(403, RawHttp.status(raw), what + "\n" + raw);
        assertTrue(raw.contains("\r\ncontent-type: application/problem+json\r\n"), raw);
        assertTrue(raw.endsWith("\r\n\r\n" + NOT_ALLOWED), raw);
        assertFalse(raw.toLowerCase().contains("x-stepgate-"), raw);
      }
    }
    // The same calls from the proxy get decisions, and the one-time step-up was not spent above.
    var allowed = rawCall("127.0.0.1", "GET", "X-Forwarded-Method: POST", "X-Forwarded-Proto: http",
        "X-Forwarded-Host: localhost", "X-Forwarded-Uri: /payouts/destination", "Cookie: " + cookie);
    assertEquals(200, RawHttp.status(allowed), allowed);
    assertTrue(allowed.toLowerCase().contains("\r\nx-stepgate-user: ivan\r\n"), allowed);
    assertEquals(200, RawHttp.status(rawCall("127.0.0.1", "GET", "X-Original-Method: GET", "X-Original-URL: " + base + "/")));
  }

  @Test
  void unknownOriginalHost_is421_butTheProxyMayCallUnderAnyName() throws Exception {
    var r = send(plain, "GET", "/.stepgate/auth", null, "X-Forwarded-Method", "GET", "X-Forwarded-Proto", "http",
        "X-Forwarded-Host", "other.example", "X-Forwarded-Uri", "/");
    assertEquals(421, r.statusCode());
    assertEquals("urn:stepgate:problem:unknown-host", new JsonObject(r.body()).getString("type"));
    for (var host : List.of("localhost.evil.example", "evil.example:" + URI.create(base).getPort(), "127.0.0.1")) {
      assertEquals(421, send(plain, "GET", "/.stepgate/auth", null, "X-Forwarded-Method", "GET", "X-Forwarded-Proto", "http",
          "X-Forwarded-Host", host, "X-Forwarded-Uri", "/").statusCode(), host);
      assertEquals(421, send(plain, "GET", "/.stepgate/auth", null, "X-Original-Method", "GET",
          "X-Original-URL", "http://" + host + "/").statusCode(), host);
    }
    var signedIn = send(plain, "GET", "/.stepgate/auth", null, "X-Original-Method", "GET",
        "X-Original-URL", "http://other.example/account", "Cookie", signIn("judy"));
    assertEquals(421, signedIn.statusCode());
    assertNull(header(signedIn, "X-Stepgate-Assertion"));
    // The proxy reaches stepgate as e.g. stepgate:8080: that Host is not the original host.
    var raw = RawHttp.send(gateway.port(), "GET /.stepgate/auth HTTP/1.1\r\nHost: stepgate:8080\r\n"
        + "X-Forwarded-Method: GET\r\nX-Forwarded-Proto: http\r\nX-Forwarded-Host: localhost\r\nX-Forwarded-Uri: /\r\n"
        + "Connection: close\r\n\r\n");
    assertEquals(200, RawHttp.status(raw), raw);
    // Other gateway paths still refuse unknown hosts.
    var other = RawHttp.send(gateway.port(), "GET /.stepgate/jwks.json HTTP/1.1\r\nHost: stepgate:8080\r\nConnection: close\r\n\r\n");
    assertEquals(421, RawHttp.status(other));
  }

  @Test
  void postAndHeadAreAccepted_andTheCallersOwnMethodDoesNotMatter() throws Exception {
    var cookie = signIn("hank");
    var post = send(plain, "POST", "/.stepgate/auth", "ignored", "X-Original-Method", "GET", "X-Original-URL", base + "/account",
        "Cookie", cookie);
    assertEquals(200, post.statusCode());
    assertEquals("hank", header(post, "X-Stepgate-User"));
    var head = send(plain, "HEAD", "/.stepgate/auth", null, "X-Original-Method", "GET", "X-Original-URL", base + "/admin/x");
    assertEquals(403, head.statusCode());
  }

  @Test
  void aSpoofedIdentityInTheCallIsIgnored() throws Exception {
    var r = traefik(null, "GET", "/account", "X-Stepgate-User", "root", "Remote-User", "root", "Accept", "application/json");
    assertEquals(401, r.statusCode());
    assertFalse("root".equals(header(r, "X-Stepgate-User")));
  }
}
