package dev.stepgate.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jwt.JWTClaimsSet;
import dev.stepgate.testing.Gateways;
import dev.stepgate.testing.PasskeyUser;
import dev.stepgate.testing.TestUpstream;
import io.vertx.core.json.JsonObject;
import java.net.CookieManager;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole gateway with a real upstream and an emulated authenticator speaking to the JSON API:
 * every decision kind for browsers and API clients, the held POST replayed exactly once, one-time
 * step-ups, and the signed assertion checked with only the JWKS.
 */
class StepUpFlowTest {
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
          description: Change where payouts are sent
          match: { methods: [POST], paths: ["/payouts/destination"] }
          require: step_up
          max_age: 0s
        - name: vault
          match: { paths: ["/vault"] }
          require: step_up
          max_age: 5m
          device_bound: true
        - name: admin
          match: { paths: ["/admin/**"] }
          require: deny
      """;

  @TempDir Path dir;
  TestUpstream upstream;
  Gateway gateway;
  String base;
  PasskeyUser user;

  @BeforeEach
  void start() throws Exception {
    upstream = new TestUpstream();
    var started = Gateways.withPolicy(upstream.url(), dir, POLICY, "");
    gateway = started.gateway();
    base = started.base();
    user = new PasskeyUser(base);
  }

  @AfterEach
  void stop() throws Exception {
    gateway.close();
    upstream.close();
  }

  HttpResponse<String> send(String method, String path, String body, String... headers) throws Exception {
    return user.send(method, path, body, headers);
  }

  JsonObject api(String path, JsonObject body) throws Exception {
    return user.api(path, body);
  }

  void enroll(String username) throws Exception {
    user.enroll(username);
  }

  JsonObject stepUp(JsonObject extra) throws Exception {
    return user.stepUp(extra);
  }

  HttpResponse<String> browserPost(String path, String form) throws Exception {
    return send("POST", path, form, "Accept", "text/html", "Content-Type", "application/x-www-form-urlencoded");
  }

  @Test
  void anonymous_browserIsSentToLogin_apiGets401() throws Exception {
    var page = send("GET", "/account", null, "Accept", "text/html");
    assertEquals(303, page.statusCode());
    assertEquals("/.stepgate/login?rd=%2Faccount", page.headers().firstValue("Location").orElseThrow());
    var api = send("GET", "/account", null, "Accept", "application/json");
    assertEquals(401, api.statusCode());
    assertEquals("Bearer error=\"invalid_token\", error_description=\"login required\"",
        api.headers().firstValue("WWW-Authenticate").orElseThrow());
    assertEquals(200, send("GET", "/", null).statusCode());
    assertTrue(upstream.received().stream().noneMatch(r -> r.uri().equals("/account")));
  }

  @Test
  void signedIn_requestCarriesAVerifiableAssertion() throws Exception {
    enroll("alice");
    var r = send("GET", "/account?x=1", null);
    assertEquals(200, r.statusCode());
    var h = upstream.last().headers();
    assertEquals("alice", h.get("X-Stepgate-User"));
    var claims = verify(h.get("X-Stepgate-Assertion"));
    assertEquals(base, claims.getIssuer());
    assertEquals(List.of(upstream.url()), claims.getAudience());
    assertEquals("alice", claims.getStringClaim("preferred_username"));
    assertEquals("urn:stepgate:passkey", claims.getStringClaim("acr"));
    assertEquals("defaults", claims.getStringClaim("rule"));
    assertFalse(claims.getSubject().equals("alice"));
    assertTrue(claims.getExpirationTime().getTime() - claims.getIssueTime().getTime() <= 300_000);
    var session = new JsonObject(send("GET", "/.stepgate/api/session", null).body());
    assertEquals("alice", session.getString("user"));
  }

  @Test
  void deny_browserGets403Page_apiGets403Problem() throws Exception {
    enroll("dora");
    var page = send("GET", "/admin/users", null, "Accept", "text/html");
    assertEquals(403, page.statusCode());
    assertTrue(page.body().contains("<h1>Not allowed</h1>"));
    var api = send("GET", "/admin/users", null, "Accept", "application/json");
    assertEquals(403, api.statusCode());
    assertTrue(api.body().contains("urn:stepgate:problem:forbidden"));
    assertTrue(upstream.received().stream().noneMatch(r -> r.uri().startsWith("/admin")));
  }

  @Test
  void stepUp_apiClientGetsRfc9470Challenge() throws Exception {
    enroll("bob");
    var r = send("POST", "/account/email", "{}", "Accept", "application/json", "Content-Type", "application/json");
    assertEquals(401, r.statusCode());
    assertEquals("Bearer error=\"insufficient_user_authentication\", error_description=\"a fresh passkey assertion is required\", max_age=300",
        r.headers().firstValue("WWW-Authenticate").orElseThrow());
    var problem = new JsonObject(r.body());
    assertEquals("urn:stepgate:problem:step-up-required", problem.getString("type"));
    assertEquals(base + "/.stepgate/step-up?rd=%2Faccount%2Femail", problem.getString("stepUpUrl"));
    assertTrue(upstream.received().stream().noneMatch(x -> x.uri().equals("/account/email")));
  }

  @Test
  void stepUp_heldFormPost_isReplayedExactlyOnceWithItsBody() throws Exception {
    enroll("carol");
    var held = browserPost("/account/email", "email=carol%40new.example");
    assertEquals(303, held.statusCode());
    var location = held.headers().firstValue("Location").orElseThrow();
    assertTrue(location.startsWith("/.stepgate/step-up?rd=%2Faccount%2Femail&held="), location);
    var heldId = location.substring(location.indexOf("held=") + 5);
    var prompt = send("GET", location, null, "Accept", "text/html");
    assertEquals(200, prompt.statusCode());
    assertTrue(prompt.body().contains("Confirm: Change the email address on your account"), prompt.body());
    assertTrue(upstream.received().stream().noneMatch(r -> r.uri().equals("/account/email")));

    var done = stepUp(new JsonObject().put("held", heldId));
    assertEquals("/.stepgate/resume/" + heldId, done.getString("resume"));
    var replayed = send("GET", done.getString("resume"), null, "Accept", "text/html");
    assertEquals(200, replayed.statusCode());
    assertEquals("POST /account/email 25", replayed.body());
    var posts = upstream.received().stream().filter(r -> r.uri().equals("/account/email")).toList();
    assertEquals(1, posts.size());
    assertEquals("email=carol%40new.example", posts.get(0).body());
    assertEquals("urn:stepgate:step-up", verify(posts.get(0).headers().get("X-Stepgate-Assertion")).getStringClaim("acr"));

    assertEquals(410, send("GET", done.getString("resume"), null, "Accept", "text/html").statusCode());
    assertEquals(1, upstream.received().stream().filter(r -> r.uri().equals("/account/email")).count());
  }

  @Test
  void stepUp_heldPost_isNeverSentWithoutAStepUpOrForAnotherSession() throws Exception {
    enroll("erin");
    var location = browserPost("/account/email", "email=x").headers().firstValue("Location").orElseThrow();
    var heldId = location.substring(location.indexOf("held=") + 5);
    // No step-up yet: resuming goes back to the prompt, nothing is sent.
    var early = send("GET", "/.stepgate/resume/" + heldId, null, "Accept", "text/html");
    assertEquals(303, early.statusCode());
    // A failed step-up (an assertion for another challenge) sends nothing either.
    var start = api("step-up/options", new JsonObject());
    var other = api("step-up/options", new JsonObject());
    var wrong = user.authenticator.get(other.getJsonObject("publicKey").encode());
    var failed = send("POST", "/.stepgate/api/step-up/verify", new JsonObject().put("ceremonyId", start.getString("ceremonyId"))
        .put("credential", new JsonObject(wrong)).put("held", heldId).encode(), "Content-Type", "application/json", "Origin", base);
    assertEquals(401, failed.statusCode(), failed.body());
    // Another session (another user's browser) cannot use the held id.
    var stranger = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).cookieHandler(new CookieManager()).build();
    var resp = stranger.send(HttpRequest.newBuilder(URI.create(base + "/.stepgate/resume/" + heldId)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(410, resp.statusCode());
    assertTrue(upstream.received().stream().noneMatch(r -> r.uri().equals("/account/email")));
  }

  @Test
  void maxAgeZero_oneStepUpAuthorizesExactlyOneRequest() throws Exception {
    enroll("frank");
    stepUp(new JsonObject().put("rule", "payout"));
    var first = send("POST", "/payouts/destination", "iban=1", "Accept", "application/json");
    assertEquals(200, first.statusCode(), first.body());
    var second = send("POST", "/payouts/destination", "iban=2", "Accept", "application/json");
    assertEquals(401, second.statusCode());
    assertEquals(1, upstream.received().stream().filter(r -> r.uri().equals("/payouts/destination")).count());
  }

  @Test
  void maxAgeZero_stepUpConfirmedForAnotherAction_doesNotAuthorizeIt() throws Exception {
    enroll("fay");
    stepUp(new JsonObject().put("rule", "change-email"));
    assertEquals(200, send("POST", "/account/email", "email=f", "Accept", "application/json").statusCode());
    var payout = send("POST", "/payouts/destination", "iban=1", "Accept", "application/json");
    assertEquals(401, payout.statusCode());
    assertEquals("payout", new JsonObject(payout.body()).getString("rule"));
    stepUp(new JsonObject().put("rule", "no-such-rule"));
    assertEquals(401, send("POST", "/payouts/destination", "iban=1", "Accept", "application/json").statusCode());
    assertEquals(0, upstream.received().stream().filter(r -> r.uri().equals("/payouts/destination")).count());
  }

  @Test
  void maxAgeZero_stepUpForAOneTimeRule_authorizesNoOtherRule_usedOrNot() throws Exception {
    enroll("hal");
    stepUp(new JsonObject().put("rule", "payout"));
    // Confirmed for the payout, it does not authorize changing the email, even unused...
    var early = send("POST", "/account/email", "email=h", "Accept", "application/json");
    assertEquals(401, early.statusCode(), early.body());
    assertEquals("change-email", new JsonObject(early.body()).getString("rule"));
    assertEquals(200, send("POST", "/payouts/destination", "iban=1", "Accept", "application/json").statusCode());
    // ...nor once used; the session stays signed in.
    var after = send("POST", "/account/email", "email=h", "Accept", "application/json");
    assertEquals(401, after.statusCode(), after.body());
    assertEquals(300, new JsonObject(after.body()).getInteger("maxAge"));
    assertEquals(200, send("GET", "/account", null, "Accept", "application/json").statusCode());
    assertEquals(0, upstream.received().stream().filter(r -> r.uri().equals("/account/email")).count());
    // A step-up confirmed for the email change then passes it.
    stepUp(new JsonObject().put("rule", "change-email"));
    assertEquals(200, send("POST", "/account/email", "email=h", "Accept", "application/json").statusCode());
  }

  @Test
  void maxAgeZero_heldPost_isBoundToItsOwnRule() throws Exception {
    enroll("gus");
    var location = browserPost("/payouts/destination", "iban=DE1").headers().firstValue("Location").orElseThrow();
    var heldId = location.substring(location.indexOf("held=") + 5);
    var done = stepUp(new JsonObject().put("held", heldId).put("rule", "change-email"));
    var replayed = send("GET", done.getString("resume"), null, "Accept", "text/html");
    assertEquals(200, replayed.statusCode(), replayed.body());
    assertEquals(1, upstream.received().stream().filter(r -> r.uri().equals("/payouts/destination")).count());
  }

  @Test
  void maxAge_freshStepUpPassesForAnApiClient() throws Exception {
    enroll("gina");
    stepUp(new JsonObject());
    var r = send("POST", "/account/email", "email=g", "Accept", "application/json");
    assertEquals(200, r.statusCode());
    var claims = verify(upstream.last().headers().get("X-Stepgate-Assertion"));
    assertEquals("urn:stepgate:step-up", claims.getStringClaim("acr"));
    assertEquals("change-email", claims.getStringClaim("rule"));
    assertTrue(claims.getClaim("step_up_time") != null);
  }

  @Test
  void deviceBound_syncedPasskeyIsRefusedWithAPlainReason() throws Exception {
    // The emulated packed authenticator reports BE=false (device-bound), so it qualifies.
    enroll("hank");
    assertEquals(401, send("GET", "/vault", null, "Accept", "application/json").statusCode());
    stepUp(new JsonObject().put("rd", "/vault"));
    assertEquals(200, send("GET", "/vault", null, "Accept", "application/json").statusCode());
  }

  @Test
  void logout_sameOriginPost_endsTheSessionServerSide() throws Exception {
    enroll("ivy");
    var cookie = user.cookie();
    var r = send("POST", "/.stepgate/logout", "", "Origin", base, "Content-Type", "application/x-www-form-urlencoded");
    assertEquals(303, r.statusCode());
    assertEquals("/.stepgate/login", r.headers().firstValue("Location").orElseThrow());
    assertEquals("stepgate=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax", r.headers().firstValue("Set-Cookie").orElseThrow());
    assertEquals(401, withCookie(cookie, "/account").statusCode());
  }

  @Test
  void logout_get_onlyAsks_andEndsNothing() throws Exception {
    enroll("ivo");
    var page = send("GET", "/.stepgate/logout", null, "Accept", "text/html");
    assertEquals(200, page.statusCode());
    assertTrue(page.body().contains("<form method=\"post\" action=\"/.stepgate/logout\">"
        + "<button id=\"sign-out\" class=\"primary\" type=\"submit\">Sign out</button></form>"), page.body());
    assertTrue(page.headers().firstValue("Set-Cookie").isEmpty());
    assertEquals(200, send("GET", "/account", null, "Accept", "application/json").statusCode());
  }

  @Test
  void logout_crossOriginOrUnprovenPost_isRefusedAndEndsNothing() throws Exception {
    enroll("ida");
    var form = "Content-Type";
    var urlencoded = "application/x-www-form-urlencoded";
    for (var headers : List.of(new String[] {"Origin", "http://evil.example", form, urlencoded},
        new String[] {"Origin", "null", form, urlencoded},
        new String[] {"Referer", "http://evil.example/.stepgate/logout", form, urlencoded},
        new String[] {"Referer", "http://localhost.evil.example/", form, urlencoded},
        new String[] {form, urlencoded})) {
      var r = send("POST", "/.stepgate/logout", "", headers);
      assertEquals(403, r.statusCode(), String.join(" ", headers));
      assertTrue(r.body().contains("<h1>Sign-out refused</h1>"), r.body());
      assertTrue(r.headers().firstValue("Set-Cookie").isEmpty());
      assertEquals(200, send("GET", "/account", null, "Accept", "application/json").statusCode(), String.join(" ", headers));
    }
    // Without Origin, a Referer from this site proves it.
    var r = send("POST", "/.stepgate/logout", "", "Referer", base + "/.stepgate/logout", form, urlencoded);
    assertEquals(303, r.statusCode());
    assertEquals(401, send("GET", "/account", null, "Accept", "application/json").statusCode());
  }

  @Test
  void logout_apiLogout_stillEndsTheSession() throws Exception {
    enroll("ike");
    var cookie = user.cookie();
    api("logout", new JsonObject());
    assertEquals(401, withCookie(cookie, "/account").statusCode());
  }

  HttpResponse<String> withCookie(String cookie, String path) throws Exception {
    return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build().send(
        HttpRequest.newBuilder(URI.create(base + path)).header("Cookie", cookie)
            .header("Accept", "application/json").build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void api_crossOriginOrNonJson_isRefused() throws Exception {
    var r = send("POST", "/.stepgate/api/login/options", "{}", "Content-Type", "application/json", "Origin", "http://evil.example");
    assertEquals(403, r.statusCode());
    var form = send("POST", "/.stepgate/api/login/options", "a=b", "Content-Type", "application/x-www-form-urlencoded", "Origin", base);
    assertEquals(415, form.statusCode());
    var bad = send("POST", "/.stepgate/api/login/options", "{nope", "Content-Type", "application/json", "Origin", base);
    assertEquals(400, bad.statusCode());
    assertEquals("application/problem+json", bad.headers().firstValue("Content-Type").orElseThrow());
    assertFalse(bad.body().contains("Exception"));
  }

  @Test
  void spoofedAssertionHeader_isReplacedByTheGatewaysOwn() throws Exception {
    enroll("jay");
    send("GET", "/account", null, "X-Stepgate-Assertion", "forged", "X-Stepgate-User", "root");
    var h = upstream.last().headers();
    assertEquals("jay", h.get("X-Stepgate-User"));
    assertEquals(1, h.getAll("X-Stepgate-Assertion").size());
    verify(h.get("X-Stepgate-Assertion"));
    assertNull(h.get("Remote-User"));
  }

  JWTClaimsSet verify(String token) throws Exception {
    return user.verify(token);
  }
}
