package dev.stepgate.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The demo app in password mode, alone on a loopback port, as the legacy app of bolt-on mode:
 * its own login, its session cookie, and the whoami endpoint stepgate asks.
 */
class DemoAppPasswordModeTest {
  private static final Pattern SESSION = Pattern.compile("^ACMESESSION=([^;]*)(;.*)?$");

  private Vertx vertx;
  private String base;
  private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
      .connectTimeout(Duration.ofSeconds(5)).build();

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    var app = DemoApp.start(vertx, "127.0.0.1", 0, DemoApp.Mode.PASSWORD)
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    base = "http://127.0.0.1:" + app.port();
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private HttpResponse<String> get(String path, String cookie) throws Exception {
    var b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(5));
    if (cookie != null) b.header("Cookie", cookie);
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> post(String path, String cookie, String... form) throws Exception {
    var body = new StringBuilder();
    for (int i = 0; i < form.length; i += 2)
      body.append(body.length() == 0 ? "" : "&").append(form[i]).append('=')
          .append(URLEncoder.encode(form[i + 1], StandardCharsets.UTF_8));
    var b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(5))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(body.toString()));
    if (cookie != null) b.header("Cookie", cookie);
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> login(String email, String password, String rd, String cookie) throws Exception {
    return rd == null ? post("/login", cookie, "email", email, "password", password)
        : post("/login", cookie, "email", email, "password", password, "rd", rd);
  }

  /** The {@code Set-Cookie} of ACMESESSION, whole. */
  private static String setCookie(HttpResponse<?> res) {
    return res.headers().allValues("Set-Cookie").stream().filter(c -> c.startsWith("ACMESESSION="))
        .findFirst().orElseThrow(() -> new AssertionError("no ACMESESSION cookie set: " + res.headers()));
  }

  /** {@code ACMESESSION=<id>}, ready for a Cookie header. */
  private static String sessionOf(HttpResponse<?> res) {
    var m = SESSION.matcher(setCookie(res));
    assertTrue(m.matches(), setCookie(res));
    return "ACMESESSION=" + m.group(1);
  }

  @Test
  void login_rightPassword_setsAFreshSessionCookieAndRedirectsHome() throws Exception {
    var res = login("alice@example.com", "alice-demo-password", null, null);
    assertEquals(303, res.statusCode());
    assertEquals("/", res.headers().firstValue("Location").orElseThrow());
    var cookie = setCookie(res);
    var attrs = cookie.toLowerCase();
    assertTrue(attrs.contains("; httponly"), cookie);
    assertTrue(attrs.contains("; samesite=lax"), cookie);
    assertTrue(attrs.contains("; path=/"), cookie);
    var id = sessionOf(res).substring("ACMESESSION=".length());
    // 256 random bits, base64url without padding: 43 characters.
    assertTrue(id.matches("[A-Za-z0-9_-]{43}"), id);
  }

  @Test
  void login_wrongPassword_isTheFormAgainWith401AndNoSession() throws Exception {
    var res = login("alice@example.com", "bob-demo-password", "/payouts", null);
    assertEquals(401, res.statusCode());
    assertTrue(res.headers().allValues("Set-Cookie").isEmpty(), res.headers().toString());
    assertTrue(res.body().contains("<p id=\"error\" role=\"alert\">Wrong email or password.</p>"), res.body());
    assertTrue(res.body().contains("value=\"alice@example.com\""), "the email is kept in the form");
    assertTrue(res.body().contains("name=\"rd\" value=\"/payouts\""), "the return path is kept");
  }

  @Test
  void login_unknownEmail_isRefusedLikeAWrongPassword() throws Exception {
    var res = login("mallory@example.com", "alice-demo-password", null, null);
    assertEquals(401, res.statusCode());
    assertTrue(res.body().contains("Wrong email or password."), res.body());
  }

  @Test
  void loginForm_escapesWhatTheCallerSent() throws Exception {
    var res = login("\"><script>x</script>", "nope", "/a?x=1&y='2'", null);
    assertEquals(401, res.statusCode());
    assertFalse(res.body().contains("<script>x"), res.body());
    assertTrue(res.body().contains("&quot;&gt;&lt;script&gt;x&lt;/script&gt;"), res.body());
    assertTrue(res.body().contains("name=\"rd\" value=\"/a?x=1&amp;y=&#39;2&#39;\""), res.body());
  }

  @Test
  void whoami_namesTheSignedInUserAndTheirRoles() throws Exception {
    var session = sessionOf(login("bob@example.com", "bob-demo-password", null, null));
    var me = get("/api/me", session);
    assertEquals(200, me.statusCode());
    assertTrue(me.headers().firstValue("Content-Type").orElseThrow().startsWith("application/json"));
    assertEquals(new JsonObject().put("user", new JsonObject().put("email", "bob@example.com")
        .put("roles", new io.vertx.core.json.JsonArray().add("admins"))), new JsonObject(me.body()));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "ACMESESSION=", "ACMESESSION=not-a-session", "OTHER=x"})
  void whoami_withoutAValidSession_is401Json(String cookie) throws Exception {
    var me = get("/api/me", cookie.isEmpty() ? null : cookie);
    assertEquals(401, me.statusCode());
    assertTrue(me.headers().firstValue("Content-Type").orElseThrow().startsWith("application/json"));
    assertEquals("not signed in", new JsonObject(me.body()).getString("error"));
  }

  @Test
  void logout_endsTheSessionAndClearsTheCookie() throws Exception {
    var session = sessionOf(login("alice@example.com", "alice-demo-password", null, null));
    assertEquals(200, get("/api/me", session).statusCode());
    var out = post("/logout", session);
    assertEquals(303, out.statusCode());
    assertEquals("/", out.headers().firstValue("Location").orElseThrow());
    var cleared = setCookie(out).toLowerCase();
    assertTrue(cleared.startsWith("acmesession=;"), cleared);
    assertTrue(cleared.contains("max-age=0"), cleared);
    // The old cookie value, replayed, no longer names anyone.
    assertEquals(401, get("/api/me", session).statusCode());
  }

  @Test
  void login_again_getsANewSessionIdAndTheOldOneEnds() throws Exception {
    var first = sessionOf(login("alice@example.com", "alice-demo-password", null, null));
    var second = sessionOf(login("alice@example.com", "alice-demo-password", null, first));
    assertNotEquals(first, second);
    assertEquals(401, get("/api/me", first).statusCode(), "the session the browser brought ends");
    assertEquals(200, get("/api/me", second).statusCode());
  }

  @Test
  void login_withAPlantedSessionId_neverAdoptsIt() throws Exception {
    var planted = "ACMESESSION=attacker-chosen-value-aaaaaaaaaaaaaaaaaaaaaaaaaa";
    var mine = sessionOf(login("alice@example.com", "alice-demo-password", null, planted));
    assertNotEquals(planted, mine);
    assertEquals(401, get("/api/me", planted).statusCode());
  }

  @Test
  void login_relativeReturnPath_isFollowed() throws Exception {
    var res = login("alice@example.com", "alice-demo-password", "/payouts?tab=history", null);
    assertEquals(303, res.statusCode());
    assertEquals("/payouts?tab=history", res.headers().firstValue("Location").orElseThrow());
  }

  @ParameterizedTest
  @ValueSource(strings = {"https://evil.example/", "//evil.example/", "/\\evil.example", "\\\\evil.example",
      "evil.example/x", "javascript:alert(1)", "/ok\r\nSet-Cookie: x=y", "/a b", "http:/payouts"})
  void login_returnPathToAnotherSite_goesHomeInstead(String rd) throws Exception {
    var res = login("alice@example.com", "alice-demo-password", rd, null);
    assertEquals(303, res.statusCode());
    assertEquals("/", res.headers().firstValue("Location").orElseThrow());
  }

  @Test
  void signedInPage_anonymous_redirectsToTheAppsLoginWithTheReturnPath() throws Exception {
    var res = get("/payouts", null);
    assertEquals(303, res.statusCode());
    assertEquals("/login?rd=%2Fpayouts", res.headers().firstValue("Location").orElseThrow());
    assertEquals(401, get("/api/balance", null).statusCode(), "an API answers 401, not a redirect");
  }

  @Test
  void signedInPage_showsTheAppSessionsUserNotTheGatewayHeader() throws Exception {
    var session = sessionOf(login("alice@example.com", "alice-demo-password", null, null));
    var b = HttpRequest.newBuilder(URI.create(base + "/account")).header("Cookie", session)
        .header("X-Stepgate-User", "<bob@example.com>").build();
    var page = http.send(b, HttpResponse.BodyHandlers.ofString());
    assertEquals(200, page.statusCode());
    assertTrue(page.body().contains("<dd id=\"user\">alice@example.com</dd>"), page.body());
    assertTrue(page.body().contains("Signed in as <b id=\"signed-in-as\">alice@example.com</b>"), page.body());
    assertTrue(page.body().contains("action=\"/logout\""), page.body());
    // The gateway's headers are still shown, escaped, so a newcomer sees what flows.
    assertTrue(page.body().contains("<th>x-stepgate-user</th><td><code>&lt;bob@example.com&gt;</code>"), page.body());
  }

  @Test
  void payout_signedIn_landsOnceOnThatUsersAccount() throws Exception {
    var alice = sessionOf(login("alice@example.com", "alice-demo-password", null, null));
    var bob = sessionOf(login("bob@example.com", "bob-demo-password", null, null));
    var res = post("/payouts/destination", alice, "iban", "NL91 ABNA 0417 1643 00");
    assertEquals(200, res.statusCode());
    assertTrue(res.body().contains("Payouts now go to <b>NL91 ABNA 0417 1643 00</b>"), res.body());
    assertEquals(1, new JsonObject(get("/api/balance", alice).body()).getInteger("payoutChanges"));
    assertEquals(0, new JsonObject(get("/api/balance", bob).body()).getInteger("payoutChanges"));
    var anonymous = post("/payouts/destination", null, "iban", "XX00");
    assertEquals(303, anonymous.statusCode());
    assertEquals(1, new JsonObject(get("/api/balance", alice).body()).getInteger("payoutChanges"));
  }

  @Test
  void gatewayMode_hasNoLoginOfItsOwn() throws Exception {
    var app = DemoApp.start(vertx, "127.0.0.1", 0).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    var res = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + "/api/me")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(404, res.statusCode());
    var account = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + "/account"))
        .header("X-Stepgate-User", "carol").build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, account.statusCode());
    assertTrue(account.body().contains("<dd id=\"user\">carol</dd>"), account.body());
  }
}
