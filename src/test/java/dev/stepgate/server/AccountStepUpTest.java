package dev.stepgate.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.webauthn4j.test.authenticator.webauthn.exception.NotAllowedException;
import dev.stepgate.testing.Gateways;
import dev.stepgate.testing.PasskeyUser;
import dev.stepgate.testing.TestUpstream;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The stolen-session case (issue 10, item 1) through the JSON API with two authenticators: a
 * victim with a passkey, and an attacker who holds only the victim's session cookie and a passkey
 * authenticator of their own. Adding a passkey and revoking one each need a fresh user-verified
 * step-up made for that action with one of the account's own passkeys; one step-up authorizes one
 * action.
 */
class AccountStepUpTest {
  static final String POLICY = """
      version: 1
      defaults: { require: authenticated }
      rules:
        - name: change-email
          match: { methods: [POST], paths: ["/account/email"] }
          require: step_up
          max_age: 5m
        - name: payout
          match: { methods: [POST], paths: ["/payouts/destination"] }
          require: step_up
          max_age: 0s
      """;
  static final String ADD = "stepgate:add-passkey";
  static final String REVOKE = "stepgate:revoke-passkey";

  @TempDir Path dir;
  TestUpstream upstream;
  Gateway gateway;
  PasskeyUser victim;
  PasskeyUser attacker;

  void start(String extraYaml) throws Exception {
    upstream = new TestUpstream();
    var started = Gateways.withPolicy(upstream.url(), dir, POLICY, extraYaml);
    gateway = started.gateway();
    victim = new PasskeyUser(started.base());
    attacker = new PasskeyUser(started.base());
    victim.enroll("victim");
  }

  @AfterEach
  void stop() throws Exception {
    if (gateway != null) gateway.close();
    if (upstream != null) upstream.close();
  }

  /** A JSON API call carrying exactly this {@code cookie}, as a thief replays it. */
  HttpResponse<String> withCookie(PasskeyUser who, String cookie, String path, JsonObject body) throws Exception {
    return who.send("POST", "/.stepgate/api/" + path, body.encode(), "Content-Type", "application/json",
        "Origin", who.base, "Cookie", cookie);
  }

  HttpResponse<String> call(PasskeyUser who, String path, JsonObject body) throws Exception {
    return who.send("POST", "/.stepgate/api/" + path, body.encode(), "Content-Type", "application/json", "Origin", who.base);
  }

  /** Registration options for the victim's username, as the signed-in account page asks for them. */
  static JsonObject addOptions() {
    return new JsonObject().put("username", "victim");
  }

  /** Finishes a registration ceremony with {@code who}'s authenticator. */
  HttpResponse<String> finish(PasskeyUser who, String cookie, JsonObject start) throws Exception {
    var credential = who.authenticator.create(start.getJsonObject("publicKey").encode());
    return withCookie(who, cookie, "registration/verify", new JsonObject()
        .put("ceremonyId", start.getString("ceremonyId")).put("credential", new JsonObject(credential)));
  }

  static void assertStepUpRequired(HttpResponse<String> r, String action, long maxAge) {
    assertEquals(401, r.statusCode(), r.body());
    assertEquals("Bearer error=\"insufficient_user_authentication\", "
        + "error_description=\"a fresh passkey assertion is required\", max_age=" + maxAge,
        r.headers().firstValue("WWW-Authenticate").orElseThrow());
    assertEquals("application/problem+json", r.headers().firstValue("Content-Type").orElseThrow());
    var problem = new JsonObject(r.body());
    assertEquals("urn:stepgate:problem:step-up-required", problem.getString("type"));
    assertEquals(action, problem.getString("rule"));
    assertEquals(maxAge, problem.getLong("maxAge"));
    assertEquals(401, problem.getInteger("status"));
    assertEquals(action.equals(ADD) ? "To add a passkey, first confirm it's you with one of your passkeys."
        : "To remove a passkey, first confirm it's you with one of your passkeys.", problem.getString("detail"));
    assertFalse(r.body().contains("Exception"), r.body());
  }

  /** How many passkeys the victim's account page lists. */
  int passkeyCount() throws Exception {
    var page = victim.send("GET", "/.stepgate/account", null, "Accept", "text/html");
    assertEquals(200, page.statusCode());
    return page.body().split("<tr><td>", -1).length - 1;
  }

  /** The ids of the victim's passkeys the account page offers to remove. */
  java.util.List<String> removable() throws Exception {
    var page = victim.send("GET", "/.stepgate/account", null, "Accept", "text/html");
    var ids = new java.util.ArrayList<String>();
    var m = Pattern.compile("data-revoke=\"([^\"]+)\"").matcher(page.body());
    while (m.find()) ids.add(m.group(1));
    return ids;
  }

  /** Whether {@code who}'s authenticator signs in (usernameless), i.e. holds a passkey enrolled here. */
  boolean signsIn(PasskeyUser who) throws Exception {
    var start = new PasskeyUser(who.base).api("login/options", new JsonObject());
    final String assertion;
    try {
      assertion = who.authenticator.get(start.getJsonObject("publicKey").encode());
    } catch (NotAllowedException e) {
      return false; // it holds no passkey for this site at all
    }
    var r = call(new PasskeyUser(who.base), "login/verify", new JsonObject().put("ceremonyId", start.getString("ceremonyId"))
        .put("credential", new JsonObject(assertion)));
    return r.statusCode() == 200;
  }

  /** The victim adds a second passkey (on {@code device}) the right way; returns its id. */
  String addSecondPasskey(PasskeyUser device) throws Exception {
    victim.stepUp(new JsonObject().put("rule", ADD));
    var start = victim.api("registration/options", addOptions());
    var credential = device.authenticator.create(start.getJsonObject("publicKey").encode());
    victim.api("registration/verify", new JsonObject().put("ceremonyId", start.getString("ceremonyId"))
        .put("credential", new JsonObject(credential)));
    return new JsonObject(credential).getString("id");
  }

  @Test
  void addPasskey_sessionCookieAlone_cannotStartRegistration() throws Exception {
    start("");
    var stolen = victim.cookie();
    assertStepUpRequired(withCookie(attacker, stolen, "registration/options", addOptions()), ADD, 300);
    assertEquals(1, passkeyCount());
    assertFalse(signsIn(attacker));
  }

  @Test
  void revoke_sessionCookieAlone_isRefused() throws Exception {
    start("");
    var second = new PasskeyUser(victim.base);
    var added = addSecondPasskey(second);
    var ids = removable();
    assertEquals(2, ids.size());
    var original = ids.get(0).equals(added) ? ids.get(1) : ids.get(0);
    var stolen = victim.cookie();
    // The thief would remove the victim's own passkey, leaving only theirs.
    var r = withCookie(attacker, stolen, "credentials/revoke", new JsonObject().put("credentialId", original));
    assertStepUpRequired(r, REVOKE, 300);
    assertEquals(ids, removable());
    assertTrue(signsIn(victim));
  }

  @Test
  void addPasskey_afterAFreshStepUpForTheAction_enrollsAndTheOldCookieIsDead() throws Exception {
    start("");
    var stolen = victim.cookie();
    var second = new PasskeyUser(victim.base);
    addSecondPasskey(second);
    assertEquals(2, passkeyCount());
    assertTrue(signsIn(second));
    // The step-up gave the victim a new session id: the cookie taken before it is worthless.
    var session = attacker.send("GET", "/.stepgate/api/session", null, "Cookie", stolen);
    assertEquals(401, session.statusCode());
    var r = withCookie(attacker, stolen, "registration/options", addOptions());
    assertEquals(403, r.statusCode());
    assertEquals("urn:stepgate:problem:not-your-account", new JsonObject(r.body()).getString("type"));
  }

  @Test
  void revoke_afterAFreshStepUpForTheAction_removesThePasskey() throws Exception {
    start("");
    var second = new PasskeyUser(victim.base);
    var added = addSecondPasskey(second);
    // The step-up for adding was spent by the enrollment, and removing needs its own anyway.
    var refused = call(victim, "credentials/revoke", new JsonObject().put("credentialId", added));
    assertStepUpRequired(refused, REVOKE, 300);
    victim.stepUp(new JsonObject().put("rule", ADD));
    assertStepUpRequired(call(victim, "credentials/revoke", new JsonObject().put("credentialId", added)), REVOKE, 300);
    victim.stepUp(new JsonObject().put("rule", REVOKE));
    victim.api("credentials/revoke", new JsonObject().put("credentialId", added));
    assertEquals(1, passkeyCount());
    assertFalse(signsIn(second));
    // Spent: the next removal needs another step-up.
    var again = call(victim, "credentials/revoke", new JsonObject().put("credentialId", added));
    assertStepUpRequired(again, REVOKE, 300);
  }

  @Test
  void addPasskey_oneStepUp_authorizesOneEnrollmentOnly() throws Exception {
    start("");
    victim.stepUp(new JsonObject().put("rule", ADD));
    // A thief with the fresh cookie starts a ceremony in the same window as the victim.
    var cookie = victim.cookie();
    var mine = victim.api("registration/options", addOptions());
    var theirs = new JsonObject(withCookie(attacker, cookie, "registration/options", addOptions()).body());
    var second = new PasskeyUser(victim.base);
    assertEquals(200, finish(second, cookie, mine).statusCode());
    assertStepUpRequired(finish(attacker, cookie, theirs), ADD, 300);
    assertStepUpRequired(call(victim, "registration/options", addOptions()), ADD, 300);
    assertEquals(2, passkeyCount());
    assertTrue(signsIn(second));
    assertFalse(signsIn(attacker));
  }

  @Test
  void addPasskey_concurrentFinishes_onlyOneUsesTheStepUp() throws Exception {
    start("");
    victim.stepUp(new JsonObject().put("rule", ADD));
    var cookie = victim.cookie();
    var devices = new PasskeyUser[] {new PasskeyUser(victim.base), new PasskeyUser(victim.base), new PasskeyUser(victim.base)};
    var starts = new JsonObject[devices.length];
    var credentials = new String[devices.length];
    for (int i = 0; i < devices.length; i++) {
      starts[i] = victim.api("registration/options", addOptions());
      credentials[i] = devices[i].authenticator.create(starts[i].getJsonObject("publicKey").encode());
    }
    var pool = java.util.concurrent.Executors.newFixedThreadPool(devices.length);
    try {
      var gate = new java.util.concurrent.CountDownLatch(1);
      var results = new java.util.ArrayList<java.util.concurrent.Future<Integer>>();
      for (int i = 0; i < devices.length; i++) {
        int n = i;
        results.add(pool.submit(() -> {
          gate.await();
          return withCookie(devices[n], cookie, "registration/verify", new JsonObject()
              .put("ceremonyId", starts[n].getString("ceremonyId")).put("credential", new JsonObject(credentials[n])))
              .statusCode();
        }));
      }
      gate.countDown();
      int ok = 0;
      for (var f : results) ok += f.get(20, java.util.concurrent.TimeUnit.SECONDS) == 200 ? 1 : 0;
      assertEquals(1, ok);
    } finally {
      pool.shutdownNow();
    }
    assertEquals(2, passkeyCount());
  }

  @Test
  void accountAction_stepUpForAPolicyRuleOrForNothing_doesNotCount() throws Exception {
    start("");
    victim.stepUp(new JsonObject().put("rule", "change-email"));
    assertStepUpRequired(call(victim, "registration/options", addOptions()), ADD, 300);
    victim.stepUp(new JsonObject());
    assertStepUpRequired(call(victim, "registration/options", addOptions()), ADD, 300);
    victim.stepUp(new JsonObject().put("rule", REVOKE));
    assertStepUpRequired(call(victim, "registration/options", addOptions()), ADD, 300);
    // ... and a step-up made for an account action is that action's alone: it passes no policy rule either.
    assertEquals(401, victim.send("POST", "/account/email", "e=1", "Accept", "application/json").statusCode());
  }

  @Test
  void oneTimeRule_stepUpForAnAccountAction_doesNotCount() throws Exception {
    start("");
    victim.stepUp(new JsonObject().put("rule", ADD));
    var r = victim.send("POST", "/payouts/destination", "iban=1", "Accept", "application/json");
    assertEquals(401, r.statusCode());
    assertEquals("payout", new JsonObject(r.body()).getString("rule"));
    assertEquals(0, upstream.received().stream().filter(x -> x.uri().equals("/payouts/destination")).count());
    // ... and the account action it was made for still has it.
    victim.api("registration/options", addOptions());
  }

  @Test
  void addPasskey_staleStepUp_doesNotCount_atStartOrAtFinish() throws Exception {
    start("account: { step_up_max_age: 3s }\n");
    victim.stepUp(new JsonObject().put("rule", ADD));
    var steppedUp = System.nanoTime();
    var start = victim.api("registration/options", addOptions());
    Thread.sleep(Math.max(0, 3_600 - (System.nanoTime() - steppedUp) / 1_000_000));
    var second = new PasskeyUser(victim.base);
    assertStepUpRequired(finish(second, victim.cookie(), start), ADD, 3);
    assertStepUpRequired(call(victim, "registration/options", addOptions()), ADD, 3);
    assertEquals(1, passkeyCount());
    assertFalse(signsIn(second));
  }

  @Test
  void stepUp_withAnotherAccountsPasskey_authorizesNothing() throws Exception {
    start("");
    attacker.enroll("mallory"); // the attacker's own account and passkey on this gateway
    var thief = new PasskeyUser(victim.base); // a client that sends only the stolen cookie
    var stolen = victim.cookie();
    var options = new JsonObject(withCookie(thief, stolen, "step-up/options", new JsonObject()).body());
    var publicKey = options.getJsonObject("publicKey").put("allowCredentials", new JsonArray());
    var assertion = attacker.authenticator.get(publicKey.encode()); // signed by mallory's passkey
    var r = withCookie(thief, stolen, "step-up/verify", new JsonObject().put("ceremonyId", options.getString("ceremonyId"))
        .put("credential", new JsonObject(assertion)).put("rule", ADD));
    assertEquals(401, r.statusCode(), r.body());
    assertEquals("urn:stepgate:problem:unknown-credential", new JsonObject(r.body()).getString("type"));
    assertStepUpRequired(withCookie(thief, stolen, "registration/options", addOptions()), ADD, 300);
    assertEquals(1, passkeyCount());
  }

  @Test
  void firstPasskey_ofANewAccount_needsNoStepUp() throws Exception {
    start("");
    var newcomer = new PasskeyUser(victim.base);
    newcomer.enroll("newcomer");
    assertEquals(200, newcomer.send("GET", "/.stepgate/api/session", null).statusCode());
  }
}
