package dev.stepgate.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import dev.stepgate.passkey.EmulatedBrowser;
import dev.stepgate.server.Gateway;
import dev.stepgate.testing.Gateways;
import dev.stepgate.testing.RawHttp;
import dev.stepgate.testing.TestUpstream;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.CookieManager;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The shipped forward-auth examples, for real: nginx ({@code docker/nginx/stepgate.conf}, {@code
 * auth_request}) and Caddy ({@code docker/caddy/Caddyfile}, {@code forward_auth}) run as child
 * processes in front of a real upstream, each asking its own gateway, which trusts only the proxy's
 * address. Only the ports are substituted. The programs must be installed: a missing one fails the test, never skips it.
 */
class ForwardAuthIT {
  static final String POLICY = """
      version: 1
      defaults: { require: authenticated }
      rules:
        - name: home
          match: { paths: ["/"] }
          require: public
        - name: admin
          match: { paths: ["/admin/**"] }
          require: deny
      """;

  /** One proxy with its gateway; {@code base} is the proxy's origin, the gateway's public_url. */
  record Stack(String name, String base, Gateway gateway, Process process, Path log) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Path tmp;
  static Path repo;
  static TestUpstream upstream;
  static final List<Stack> stacks = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    var nginx = executable("nginx", "/usr/sbin/nginx");
    var caddy = executable("caddy", "/usr/bin/caddy");
    repo = Path.of(System.getProperty("basedir", "")).toAbsolutePath();
    tmp = Files.createTempDirectory("stepgate-fwdauth-");
    // nginx's workers run as nobody when the tests run as root: they must reach their temp dirs.
    Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.writeString(tmp.resolve("policy.yaml"), POLICY);
    upstream = new TestUpstream();
    stacks.add(startNginx(nginx));
    stacks.add(startCaddy(caddy));
  }

  @AfterAll
  static void stop() throws Exception {
    for (var s : stacks) {
      s.process().destroy();
      if (!s.process().waitFor(10, TimeUnit.SECONDS)) s.process().destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      s.gateway().close();
    }
    if (upstream != null) upstream.close();
  }

  static Stream<Stack> stacks() {
    return stacks.stream();
  }

  // --- the proxies -----------------------------------------------------------------------------

  static Stack startNginx(String binary) throws Exception {
    int port = freePort();
    var base = "http://localhost:" + port;
    var gateway = gateway("nginx", base);
    var dir = Files.createDirectories(tmp.resolve("nginx"));
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    var site = substitute(Files.readString(repo.resolve("docker/nginx/stepgate.conf")), Map.of(
        "server stepgate:8080;", "server 127.0.0.1:" + gateway.port() + ";",
        "server app:3000;", "server 127.0.0.1:" + upstream.port() + ";",
        "listen 80;", "listen 127.0.0.1:" + port + ";"));
    Files.writeString(dir.resolve("site.conf"), site);
    Files.writeString(dir.resolve("nginx.conf"), """
        worker_processes 1;
        events { worker_connections 256; }
        http {
          access_log off;
          client_body_temp_path %1$s/client_body;
          proxy_temp_path %1$s/proxy;
          fastcgi_temp_path %1$s/fastcgi;
          uwsgi_temp_path %1$s/uwsgi;
          scgi_temp_path %1$s/scgi;
          include %1$s/site.conf;
        }
        """.formatted(dir));
    var log = dir.resolve("nginx.log");
    var process = new ProcessBuilder(binary, "-p", dir + "/", "-c", dir.resolve("nginx.conf").toString(),
        "-g", "daemon off; pid " + dir.resolve("nginx.pid") + "; error_log stderr;")
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    return awaitUp(new Stack("nginx", base, gateway, process, log));
  }

  static Stack startCaddy(String binary) throws Exception {
    int port = freePort();
    var base = "http://localhost:" + port;
    var gateway = gateway("caddy", base);
    var dir = Files.createDirectories(tmp.resolve("caddy"));
    var caddyfile = substitute(Files.readString(repo.resolve("docker/caddy/Caddyfile")), Map.of(
        "stepgate:8080", "127.0.0.1:" + gateway.port(),
        "app:3000", "127.0.0.1:" + upstream.port(),
        "\n:80 {", "\nhttp://localhost:" + port + " {"));
    Files.writeString(dir.resolve("Caddyfile"), caddyfile);
    var log = dir.resolve("caddy.log");
    var pb = new ProcessBuilder(binary, "run", "--config", dir.resolve("Caddyfile").toString(), "--adapter", "caddyfile")
        .redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().put("HOME", dir.toString());
    pb.environment().put("XDG_DATA_HOME", dir.resolve("data").toString());
    pb.environment().put("XDG_CONFIG_HOME", dir.resolve("config").toString());
    return awaitUp(new Stack("caddy", base, gateway, pb.start(), log));
  }

  /**
   * The stack's gateway. The proxy reaches it from 127.0.0.1, which is therefore its one trusted
   * proxy (as docker/stepgate/config.yaml lists the proxy's address); 127.0.0.2 plays any other peer.
   */
  static Gateway gateway(String name, String base) {
    return Gateways.start(upstream.url(), tmp.resolve(name + "-data"),
        "public_url: " + base + "\npolicies: " + tmp.resolve("policy.yaml") + "\ntrusted_proxies: [127.0.0.1/32]\n");
  }

  static String substitute(String text, Map<String, String> replacements) {
    for (var e : replacements.entrySet()) {
      if (!text.contains(e.getKey())) fail("the example config no longer contains '" + e.getKey().strip() + "'");
      text = text.replace(e.getKey(), e.getValue());
    }
    return text;
  }

  /** The program, which must be installed (a missing one is a failure, not a skip). */
  static String executable(String name, String usual) {
    if (Files.isExecutable(Path.of(usual))) return usual;
    for (var d : System.getenv().getOrDefault("PATH", "").split(":")) {
      var p = Path.of(d.isEmpty() ? "." : d, name);
      if (Files.isExecutable(p)) return p.toString();
    }
    return fail(name + " is not installed (expected " + usual + "); scripts/test installs it");
  }

  /** Waits until the gateway answers through the proxy: its health check, via the proxy. */
  static Stack awaitUp(Stack stack) throws Exception {
    var client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      if (!stack.process().isAlive())
        fail(stack.name() + " exited with " + stack.process().exitValue() + ":\n" + Files.readString(stack.log()));
      try {
        var r = client.send(HttpRequest.newBuilder(URI.create(stack.base() + "/.stepgate/healthz"))
            .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) return stack;
      } catch (IOException notYet) {
        // not listening yet
      }
      Thread.sleep(100);
    }
    stack.process().destroyForcibly();
    return fail(stack.name() + " did not come up:\n" + Files.readString(stack.log()));
  }

  static int freePort() throws IOException {
    try (var s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  // --- a client speaking through the proxy ----------------------------------------------------

  static HttpClient client() {
    return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).cookieHandler(new CookieManager())
        .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(5)).build();
  }

  static HttpResponse<String> send(HttpClient client, Stack stack, String method, String path, String body,
      String... headers) throws Exception {
    var b = HttpRequest.newBuilder(URI.create(stack.base() + path)).timeout(Duration.ofSeconds(20))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    for (int i = 0; i < headers.length; i += 2) b.header(headers[i], headers[i + 1]);
    return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Registers {@code username} through the proxy's /.stepgate/api; the client keeps the cookie. */
  static void signIn(HttpClient client, Stack stack, String username) throws Exception {
    var authenticator = new EmulatedBrowser(stack.base());
    var start = api(client, stack, "registration/options", new JsonObject().put("username", username));
    var credential = authenticator.create(start.getJsonObject("publicKey").encode());
    api(client, stack, "registration/verify", new JsonObject().put("ceremonyId", start.getString("ceremonyId"))
        .put("credential", new JsonObject(credential)));
  }

  static JsonObject api(HttpClient client, Stack stack, String path, JsonObject body) throws Exception {
    var r = send(client, stack, "POST", "/.stepgate/api/" + path, body.encode(), "Content-Type", "application/json",
        "Origin", stack.base());
    assertEquals(200, r.statusCode(), () -> path + ": " + r.body());
    return new JsonObject(r.body());
  }

  static JWTClaimsSet verify(Stack stack, String token) throws Exception {
    var jwks = JWKSet.parse(send(client(), stack, "GET", "/.stepgate/jwks.json", null).body());
    var processor = new DefaultJWTProcessor<SecurityContext>();
    processor.setJWSKeySelector(new JWSVerificationKeySelector<>(JWSAlgorithm.ES256, new ImmutableJWKSet<>(jwks)));
    return processor.process(token, null);
  }

  static List<TestUpstream.Received> receivedAt(String uri) {
    return upstream.received().stream().filter(r -> r.uri().equals(uri)).toList();
  }

  // --- through each proxy ----------------------------------------------------------------------

  @ParameterizedTest(name = "{0}")
  @MethodSource("stacks")
  void anonymousBrowser_isRedirectedToTheGatewaysLogin(Stack stack) throws Exception {
    var path = "/account?via=" + stack.name();
    var r = send(client(), stack, "GET", path, null, "Accept", "text/html,application/xhtml+xml");
    assertTrue(r.statusCode() == 302 || r.statusCode() == 303, () -> r.statusCode() + " " + r.body());
    assertEquals(stack.base() + "/.stepgate/login?rd=%2Faccount%3Fvia%3D" + stack.name(),
        r.headers().firstValue("Location").orElseThrow());
    assertTrue(receivedAt(path).isEmpty());
    // ...and the login page it names is served through the same proxy.
    var login = send(client(), stack, "GET", "/.stepgate/login?rd=%2Faccount", null, "Accept", "text/html");
    assertEquals(200, login.statusCode());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("stacks")
  void anonymousApiClient_gets401WithTheChallenge(Stack stack) throws Exception {
    var path = "/api/thing?via=" + stack.name();
    var r = send(client(), stack, "GET", path, null, "Accept", "application/json");
    assertEquals(401, r.statusCode(), r.body());
    assertEquals(List.of("Bearer error=\"invalid_token\", error_description=\"login required\""),
        r.headers().allValues("WWW-Authenticate"));
    assertTrue(receivedAt(path).isEmpty());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("stacks")
  void signedIn_reachesTheUpstreamWithAVerifiableAssertion_andNoClientSentIdentity(Stack stack) throws Exception {
    var client = client();
    var username = "user" + stack.name();
    signIn(client, stack, username);
    var path = "/account?signed=" + stack.name();
    var r = send(client, stack, "GET", path, null, "Accept", "text/html",
        "X-Stepgate-User", "root", "X-Stepgate-Assertion", "forged", "x-stepgate-user", "admin");
    assertEquals(200, r.statusCode(), r.body());
    assertEquals("GET " + path + " 0", r.body());
    var got = receivedAt(path);
    assertEquals(1, got.size());
    var h = got.get(0).headers();
    assertEquals(List.of(username), h.getAll("X-Stepgate-User"));
    assertEquals(1, h.getAll("X-Stepgate-Assertion").size());
    var claims = verify(stack, h.get("X-Stepgate-Assertion"));
    assertEquals(stack.base(), claims.getIssuer());
    assertEquals(List.of(upstream.url()), claims.getAudience());
    assertEquals(username, claims.getStringClaim("preferred_username"));
    assertEquals("urn:stepgate:passkey", claims.getStringClaim("acr"));
    assertTrue(claims.getExpirationTime().getTime() - claims.getIssueTime().getTime() <= 300_000);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("stacks")
  void publicPath_anonymous_passesWithoutAnyIdentity(Stack stack) throws Exception {
    var path = "/?public=" + stack.name();
    var r = send(client(), stack, "GET", path, null, "X-Stepgate-User", "root", "X-Stepgate-Assertion", "forged",
        "Remote-User", "root");
    assertEquals(200, r.statusCode(), r.body());
    var got = receivedAt(path);
    assertEquals(1, got.size());
    var h = got.get(0).headers();
    for (var name : List.of("X-Stepgate-User", "X-Stepgate-Assertion", "Remote-User")) {
      var values = h.getAll(name);
      assertTrue(values.isEmpty() || values.equals(List.of("")), () -> name + " reached the upstream: " + values);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("stacks")
  void deniedPath_is403_signedInOrNot(Stack stack) throws Exception {
    var client = client();
    signIn(client, stack, "deny" + stack.name());
    var path = "/admin/users?via=" + stack.name();
    assertEquals(403, send(client, stack, "GET", path, null, "Accept", "text/html").statusCode());
    assertEquals(403, send(client(), stack, "GET", path, null, "Accept", "application/json").statusCode());
    assertTrue(receivedAt(path).isEmpty());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("stacks")
  void theDecisionEndpoint_isNotReachableThroughTheProxy(Stack stack) throws Exception {
    var r = send(client(), stack, "GET", "/.stepgate/auth", null, "X-Forwarded-Method", "GET",
        "X-Forwarded-Uri", "/account", "X-Original-URL", stack.base() + "/", "X-Original-Method", "GET");
    assertEquals(404, r.statusCode());
    assertFalse(r.headers().firstValue("X-Stepgate-User").isPresent());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("stacks")
  void aPeerOtherThanTheProxy_isRefusedByTheGatewayItself(Stack stack) throws Exception {
    // What the proxy sends gets decisions (the tests above); the same call from elsewhere, 403.
    var raw = RawHttp.sendFrom("127.0.0.2", stack.gateway().port(), "GET /.stepgate/auth HTTP/1.1\r\n"
        + "Host: localhost\r\nX-Original-Method: GET\r\nX-Original-URL: " + stack.base() + "/\r\n"
        + "X-Forwarded-For: 127.0.0.1\r\nConnection: close\r\n\r\n");
    assertEquals(403, RawHttp.status(raw), raw);
    assertTrue(raw.contains("urn:stepgate:problem:forward-auth-not-allowed"), raw);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("stacks")
  void aClientDescribingAnotherPath_cannotChooseWhatIsDecided(Stack stack) throws Exception {
    // The header family the proxy does not set itself, sent by the client, must not decide.
    var path = "/admin/secret?via=" + stack.name();
    var r = send(client(), stack, "GET", path, null, "X-Original-URL", stack.base() + "/", "X-Original-Method", "GET",
        "X-Forwarded-Uri", "/", "X-Forwarded-Method", "GET");
    assertTrue(r.statusCode() >= 400, () -> String.valueOf(r.statusCode()));
    assertTrue(receivedAt(path).isEmpty());
  }
}
