package dev.stepgate.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stepgate.testing.Gateways;
import dev.stepgate.testing.PasskeyUser;
import dev.stepgate.testing.PasswordApp;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bolt-on mode (SPEC section 8) end to end over HTTP: a small app with its own password login
 * behind the gateway in {@code identity.source: upstream}, an emulated authenticator speaking to the
 * JSON API. Step-up on sensitive routes for a password-signed-in user, the binding of step-up state
 * to the app's session, whoami failures failing closed, and both first-enrollment modes.
 */
class BoltOnTest {
  static final String TOKEN = "bolt-on-admin-token-0123456789abcdefghijkl";
  static final String POLICY = """
      version: 1
      defaults: { require: authenticated }
      rules:
        - name: app-login
          match: { paths: ["/", "/login", "/logout"] }
          require: public
        - name: payout
          description: Change where payouts are sent
          match: { methods: [POST], paths: ["/payouts/destination"] }
          require: step_up
          max_age: 0s
        - name: payouts
          match: { paths: ["/payouts/**"] }
          require: step_up
          max_age: 2m
        - name: vault
          match: { paths: ["/vault"] }
          require: step_up
          max_age: 5m
          min_credential_age: 24h
      """;

  @TempDir Path dir;
  PasswordApp app;
  Gateway gateway;
  String base;

  @AfterEach
  void stop() throws Exception {
    if (gateway != null) gateway.close();
    if (app != null) app.close();
  }

  void start(String firstEnrollment) throws Exception {
    app = new PasswordApp();
    var started = Gateways.withPolicy(app.url(), dir, POLICY, """
        admin_token: %s
        identity:
          source: upstream
          whoami: { path: /api/me, username: /user/email, groups: /user/roles, session_cookies: [APPSESSION], cache: 60s }
          first_enrollment: %s
        """.formatted(TOKEN, firstEnrollment));
    gateway = started.gateway();
    base = started.base();
  }

  /** A browser that signed in to the app with its password (through the gateway). */
  PasskeyUser appUser(String email, String password) throws Exception {
    var user = new PasskeyUser(base);
    appLogin(user, email, password);
    return user;
  }

  static void appLogin(PasskeyUser user, String email, String password) throws Exception {
    var r = user.send("POST", "/login", "user=" + email + "&password=" + password, "Content-Type",
        "application/x-www-form-urlencoded");
    assertEquals(303, r.statusCode(), r.body());
  }

  /** The first passkey of a password-signed-in user, in place ({@code on_step_up}); no gateway session is made. */
  static void firstPasskey(PasskeyUser user, JsonObject extra) throws Exception {
    var start = user.api("registration/options", extra.copy().put("username", "ignored"));
    var credential = user.authenticator.create(start.getJsonObject("publicKey").encode());
    user.api("registration/verify", new JsonObject().put("ceremonyId", start.getString("ceremonyId"))
        .put("credential", new JsonObject(credential)));
  }

  static HttpResponse<String> post(PasskeyUser user, String path, String form, String accept) throws Exception {
    return user.send("POST", path, form, "Accept", accept, "Content-Type", "application/x-www-form-urlencoded");
  }

  @Test
  void passwordUser_mustStepUpWithAPasskey_andTheAppSeesWhoStepgateVerified() throws Exception {
    start("on_step_up");
    var alice = appUser("alice@example.com", "alice-pw");

    // Signed in by the app's password: authenticated routes pass, with what stepgate knows (and no hwk).
    assertEquals(200, alice.send("GET", "/account", null).statusCode());
    var h = app.received("GET", "/account").get(0).headers();
    assertEquals("alice@example.com", h.get("X-Stepgate-User"));
    var claims = alice.verify(h.get("X-Stepgate-Assertion"));
    assertEquals("urn:stepgate:app-session", claims.getStringClaim("acr"));
    assertNull(claims.getClaim("amr"), "stepgate verified no authentication method of a password sign-in");
    var sub = claims.getSubject();
    assertFalse(sub.contains("alice"));

    // A sensitive route asks for a step-up, which needs a first passkey.
    var api = alice.send("GET", "/payouts/list", null, "Accept", "application/json");
    assertEquals(401, api.statusCode());
    assertTrue(api.headers().firstValue("WWW-Authenticate").orElseThrow().contains("insufficient_user_authentication"));
    var noPasskey = alice.send("POST", "/.stepgate/api/step-up/options", "{}", "Content-Type", "application/json", "Origin", base);
    assertEquals(409, noPasskey.statusCode(), noPasskey.body());
    assertEquals("on_step_up", new JsonObject(noPasskey.body()).getString("firstEnrollment"));
    assertTrue(alice.send("GET", "/.stepgate/step-up?rd=%2Fpayouts%2Flist", null).body().contains("id=\"first-passkey\""));

    firstPasskey(alice, new JsonObject());
    alice.stepUp(new JsonObject());
    assertEquals(200, alice.send("GET", "/payouts/list", null).statusCode());
    var stepped = alice.verify(app.received("GET", "/payouts/list").get(0).headers().get("X-Stepgate-Assertion"));
    assertEquals("urn:stepgate:step-up", stepped.getStringClaim("acr"));
    assertTrue(stepped.getStringListClaim("amr").contains("user"));
    assertEquals(sub, stepped.getSubject(), "the same id before and after the first passkey");
    assertEquals(List.of("finance"), stepped.getStringListClaim("groups"), "groups from whoami.groups");
    assertEquals(List.of("finance"), claims.getStringListClaim("groups"));

    // A later passkey needs a step-up with the first one (a gateway session alone is not enough either).
    var fresh = alice.inAnotherBrowser(null);
    appLogin(fresh, "alice@example.com", "alice-pw");
    var second = fresh.send("POST", "/.stepgate/api/registration/options", "{\"username\":\"x\"}", "Content-Type",
        "application/json", "Origin", base);
    assertEquals(401, second.statusCode(), second.body());
  }

  @Test
  void anonymousCallers_reachTheAppsOwnLogin_butNeverASensitiveRoute() throws Exception {
    start("on_step_up");
    var nobody = new PasskeyUser(base);
    var page = nobody.send("GET", "/account", null, "Accept", "text/html");
    assertEquals(200, page.statusCode(), "forwarded as it is: the app's own login handles it");
    var h = app.received("GET", "/account").get(0).headers();
    assertNull(h.get("X-Stepgate-User"));
    assertNull(h.get("X-Stepgate-Assertion"));
    // A forged identity header never reaches the app.
    nobody.send("GET", "/account", null, "X-Stepgate-User", "alice@example.com");
    assertNull(app.received("GET", "/account").get(1).headers().get("X-Stepgate-User"));

    var sensitive = post(nobody, "/payouts/destination", "iban=X", "text/html");
    assertEquals(303, sensitive.statusCode());
    assertTrue(sensitive.headers().firstValue("Location").orElseThrow().startsWith("/.stepgate/login"));
    assertTrue(nobody.send("GET", "/.stepgate/login", null).body().contains("id=\"app-login-first\""));
    assertEquals(401, post(nobody, "/payouts/destination", "iban=X", "application/json").statusCode());
    assertTrue(app.received("POST", "/payouts/destination").isEmpty());
  }

  @Test
  void theHeldPayout_reachesTheAppOnce_afterFirstPasskeyAndStepUp() throws Exception {
    start("on_step_up");
    var alice = appUser("alice@example.com", "alice-pw");
    var held = post(alice, "/payouts/destination", "iban=DE00", "text/html");
    assertEquals(303, held.statusCode());
    var prompt = held.headers().firstValue("Location").orElseThrow();
    var heldId = prompt.replaceAll(".*[?&]held=([^&]+).*", "$1");
    firstPasskey(alice, new JsonObject());
    var done = alice.stepUp(new JsonObject().put("held", heldId).put("rd", "/payouts/destination"));
    var resume = done.getString("resume");
    assertEquals(200, alice.send("GET", resume, null).statusCode());
    assertEquals(1, app.received("POST", "/payouts/destination").size());
    assertEquals("iban=DE00", app.received("POST", "/payouts/destination").get(0).body());
    assertEquals(410, alice.send("GET", resume, null).statusCode(), "sent once");
    assertEquals(1, app.received("POST", "/payouts/destination").size());
  }

  @Test
  void aNewAppSession_orLoggingOut_voidsTheStepUp() throws Exception {
    start("on_step_up");
    var alice = appUser("alice@example.com", "alice-pw");
    firstPasskey(alice, new JsonObject());
    alice.stepUp(new JsonObject());
    assertEquals(200, alice.send("GET", "/payouts/list", null).statusCode());

    // Signing in to the app again makes a new app session: the step-up was the old one's.
    appLogin(alice, "alice@example.com", "alice-pw");
    assertEquals(401, alice.send("GET", "/payouts/list", null, "Accept", "application/json").statusCode());
    alice.stepUp(new JsonObject());
    assertEquals(200, alice.send("GET", "/payouts/list", null).statusCode());

    // Another user signs in to the app in the same browser: alice's step-up is not theirs.
    appLogin(alice, "bob@example.com", "bob-pw");
    assertEquals(401, alice.send("GET", "/payouts/list", null, "Accept", "application/json").statusCode());

    // Logging out of the app ends it too.
    appLogin(alice, "alice@example.com", "alice-pw");
    alice.stepUp(new JsonObject());
    assertEquals(200, alice.send("GET", "/payouts/list", null).statusCode());
    assertEquals(303, alice.send("POST", "/logout", "", "Content-Type", "application/x-www-form-urlencoded").statusCode());
    assertEquals(401, alice.send("GET", "/payouts/list", null, "Accept", "application/json").statusCode());
  }

  @Test
  void aStolenGatewayCookie_withoutTheAppSession_isWorthNothing() throws Exception {
    start("on_step_up");
    var alice = appUser("alice@example.com", "alice-pw");
    firstPasskey(alice, new JsonObject());
    alice.stepUp(new JsonObject());
    assertEquals(200, alice.send("GET", "/payouts/list", null).statusCode());
    var stolen = gatewayCookie(alice);

    var thief = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    var alone = thief.send(HttpRequest.newBuilder(URI.create(base + "/payouts/list")).header("Cookie", stolen)
        .header("Accept", "application/json").build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(401, alone.statusCode());

    // With the thief's own app session (bob) the stolen cookie names someone else's state: nothing.
    var bob = appUser("bob@example.com", "bob-pw");
    var bobsApp = appCookie(bob);
    var mixed = thief.send(HttpRequest.newBuilder(URI.create(base + "/payouts/list")).header("Cookie", stolen + "; " + bobsApp)
        .header("Accept", "application/json").build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(401, mixed.statusCode());
    assertEquals(1, app.received("GET", "/payouts/list").size(), "only alice's own request reached the app");
  }

  @Test
  void whoamiFailures_failClosed_publicRoutesStillWork_andNothingIsCached() throws Exception {
    start("on_step_up");
    var alice = appUser("alice@example.com", "alice-pw");
    for (var mode : List.of(PasswordApp.Whoami.DOWN, PasswordApp.Whoami.GARBAGE)) {
      app.whoami(mode);
      var r = alice.send("GET", "/account", null, "Accept", "application/json");
      assertEquals(503, r.statusCode(), mode + ": " + r.body());
      assertTrue(r.body().contains("app-identity-unavailable"), r.body());
      assertEquals(503, alice.send("GET", "/payouts/list", null, "Accept", "application/json").statusCode());
      assertEquals(200, alice.send("GET", "/", null).statusCode(), "public routes still work");
    }
    app.whoami(PasswordApp.Whoami.SLOW);
    long t0 = System.nanoTime();
    assertEquals(503, alice.send("GET", "/account", null, "Accept", "application/json").statusCode());
    assertTrue(Duration.ofNanos(System.nanoTime() - t0).compareTo(Duration.ofSeconds(10)) < 0, "answered, not hung");
    assertTrue(app.received("GET", "/account").isEmpty(), "nothing reached the app while whoami failed");

    app.whoami(PasswordApp.Whoami.OK);
    assertEquals(200, alice.send("GET", "/account", null).statusCode());
    assertEquals("alice@example.com", app.received("GET", "/account").get(0).headers().get("X-Stepgate-User"),
        "failures were not cached: the caller is known as soon as whoami answers");

    // A whoami answer without the username: nobody (the app's login handles it), not an error.
    var bob = appUser("bob@example.com", "bob-pw");
    app.whoami(PasswordApp.Whoami.NO_USER);
    assertEquals(401, bob.send("GET", "/payouts/list", null, "Accept", "application/json").statusCode());
    assertEquals(200, bob.send("GET", "/account", null).statusCode());
    assertNull(app.received("GET", "/account").get(1).headers().get("X-Stepgate-User"));
    var metrics = Gateways.metrics(gateway);
    var failed = Gateways.metric(metrics, "stepgate_whoami_total{outcome=\"failed\"}");
    var users = Gateways.metric(metrics, "stepgate_whoami_total{outcome=\"user\"}");
    assertTrue(failed >= 4 && users >= 1, () -> "failed " + failed + ", user " + users);
    // Only the app's session cookie went to whoami.
    for (var h : app.whoamiHeaders()) assertFalse(h.get("Cookie") != null && h.get("Cookie").contains("stepgate"), h.get("Cookie"));
  }

  @Test
  void inviteOnlyFirstEnrollment_cannotBeBypassed() throws Exception {
    start("invite");
    var alice = appUser("alice@example.com", "alice-pw");
    var noInvite = alice.send("POST", "/.stepgate/api/registration/options", "{\"username\":\"alice@example.com\"}",
        "Content-Type", "application/json", "Origin", base);
    assertEquals(403, noInvite.statusCode(), noInvite.body());
    assertTrue(noInvite.body().contains("enrollment-invite-required"), noInvite.body());
    assertEquals(403, alice.send("GET", "/.stepgate/step-up?rd=%2Fpayouts%2Flist", null).statusCode());

    // An invite for someone else does not let alice enroll, nor does bob's invite work without bob's app session.
    var bobsInvite = invite("bob@example.com");
    var wrong = alice.send("POST", "/.stepgate/api/registration/options",
        new JsonObject().put("invite", bobsInvite).encode(), "Content-Type", "application/json", "Origin", base);
    assertEquals(403, wrong.statusCode(), wrong.body());

    firstPasskey(alice, new JsonObject().put("invite", invite("alice@example.com")));
    alice.stepUp(new JsonObject());
    assertEquals(200, alice.send("GET", "/payouts/list", null).statusCode());
  }

  @Test
  void aPasskeyEnrolledInPlace_cannotSatisfyMinCredentialAge() throws Exception {
    start("on_step_up");
    var alice = appUser("alice@example.com", "alice-pw");
    firstPasskey(alice, new JsonObject());
    var r = alice.send("GET", "/vault", null, "Accept", "application/json");
    assertEquals(401, r.statusCode());
    var start = alice.api("step-up/options", new JsonObject());
    var assertion = alice.authenticator.get(start.getJsonObject("publicKey").encode());
    var verify = alice.send("POST", "/.stepgate/api/step-up/verify", new JsonObject().put("ceremonyId", start.getString("ceremonyId"))
        .put("credential", new JsonObject(assertion)).put("rd", "/vault").encode(), "Content-Type", "application/json", "Origin", base);
    assertEquals(403, verify.statusCode(), verify.body());
    assertTrue(verify.body().contains("step-up-not-qualified"), verify.body());
    assertTrue(app.received("GET", "/vault").isEmpty());
  }

  String invite(String username) throws Exception {
    var r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.adminPort()
            + "/admin/api/invites")).header("Authorization", "Bearer " + TOKEN).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(new JsonObject().put("username", username).encode())).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(201, r.statusCode(), r.body());
    var url = new JsonObject(r.body()).getString("url");
    return java.net.URLDecoder.decode(url.replaceAll(".*[?&]invite=([^&]+).*", "$1"), java.nio.charset.StandardCharsets.UTF_8);
  }

  static String gatewayCookie(PasskeyUser user) {
    return cookie(user, "stepgate");
  }

  static String appCookie(PasskeyUser user) {
    return cookie(user, "APPSESSION");
  }

  static String cookie(PasskeyUser user, String name) {
    var store = ((java.net.CookieManager) user.http.cookieHandler().orElseThrow()).getCookieStore();
    return store.getCookies().stream().filter(c -> c.getName().equals(name)).findFirst()
        .map(c -> c.getName() + "=" + c.getValue()).orElseThrow(() -> new AssertionError("no cookie " + name));
  }
}
