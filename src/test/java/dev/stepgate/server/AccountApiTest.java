package dev.stepgate.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stepgate.audit.AuditEntry;
import dev.stepgate.testing.Gateways;
import dev.stepgate.testing.PasskeyUser;
import dev.stepgate.testing.TestUpstream;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The account page's API through a running gateway (SPEC section 4): the caller's passkeys (list,
 * rename) and sessions (list, end one, end all others). Another user's passkey or session answers
 * exactly as an unknown one, and nothing ever names a session by its id.
 */
class AccountApiTest {
  static final String FIREFOX_MAC = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14.5; rv:133.0) Gecko/20100101 Firefox/133.0";
  static final String CHROME_ANDROID = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
      + "Chrome/131.0.0.0 Mobile Safari/537.36";

  static final String LABEL_RULE = "Name the passkey with 1 to 64 characters, without < or > or control characters.";

  @TempDir Path dir;
  TestUpstream upstream;
  Gateway gateway;
  PasskeyUser alice;
  PasskeyUser bob;

  @BeforeEach
  void start() throws Exception {
    upstream = new TestUpstream();
    var started = Gateways.withPolicy(upstream.url(), dir, Gateways.OPEN_POLICY, "");
    gateway = started.gateway();
    alice = new PasskeyUser(started.base()).inAnotherBrowser(FIREFOX_MAC);
    alice.enroll("alice");
    bob = new PasskeyUser(started.base());
    bob.enroll("bob");
  }

  @AfterEach
  void stop() throws Exception {
    if (gateway != null) gateway.close();
    if (upstream != null) upstream.close();
  }

  static HttpResponse<String> post(PasskeyUser who, String path, JsonObject body) throws Exception {
    return who.send("POST", "/.stepgate/api/" + path, body.encode(), "Content-Type", "application/json", "Origin", who.base);
  }

  static JsonObject get(PasskeyUser who, String path) throws Exception {
    var r = who.send("GET", "/.stepgate/api/" + path, null);
    assertEquals(200, r.statusCode(), r.body());
    assertEquals("no-store", r.headers().firstValue("Cache-Control").orElseThrow());
    return new JsonObject(r.body());
  }

  static JsonArray credentials(PasskeyUser who) throws Exception {
    return get(who, "credentials").getJsonArray("credentials");
  }

  static void assertProblem(HttpResponse<String> r, int status, String type, String detail) {
    assertEquals(status, r.statusCode(), r.body());
    assertEquals("application/problem+json", r.headers().firstValue("Content-Type").orElseThrow());
    var p = new JsonObject(r.body());
    assertEquals("urn:stepgate:problem:" + type, p.getString("type"));
    if (detail != null) assertEquals(detail, p.getString("detail"));
    assertFalse(r.body().contains("Exception"), r.body());
  }

  /** The value of the session cookie {@code who} holds. */
  static String sessionId(PasskeyUser who) {
    var c = who.cookie();
    return c.substring(c.indexOf('=') + 1);
  }

  @Test
  void credentials_listsTheCallersPasskeys_only() throws Exception {
    var list = credentials(alice);
    assertEquals(1, list.size());
    var c = list.getJsonObject(0);
    assertEquals("Passkey", c.getString("label"));
    assertTrue(c.getLong("createdAt") > 1_600_000_000L);
    assertTrue(c.containsKey("lastUsedAt"));
    assertEquals(Boolean.class, c.getValue("synced").getClass());
    assertEquals(false, c.getBoolean("viaRecovery"));
    assertFalse(c.containsKey("authenticator"), "the emulator's AAGUID is no known provider");
    assertFalse(credentials(bob).getJsonObject(0).getString("id").equals(c.getString("id")));
    // The WebAuthn user handle the page's script signals with is its owner's to see.
    assertTrue(get(alice, "session").getString("userId").length() > 20);
    assertEquals(401, alice.inAnotherBrowser(null).send("GET", "/.stepgate/api/credentials", null).statusCode());
  }

  @Test
  void rename_ownPasskey_trimsAndKeepsTheLabel() throws Exception {
    var id = credentials(alice).getJsonObject(0).getString("id");
    var r = post(alice, "credentials/rename", new JsonObject().put("credentialId", id).put("label", "  Work laptop & \"desk\"  "));
    assertEquals(200, r.statusCode(), r.body());
    assertEquals(new JsonObject().put("status", "ok"), new JsonObject(r.body()));
    assertEquals("Work laptop & \"desk\"", credentials(alice).getJsonObject(0).getString("label"));
  }

  @Test
  void rename_markupControlCharactersTooLongOrEmpty_isRefusedWith400() throws Exception {
    var id = credentials(alice).getJsonObject(0).getString("id");
    assertProblem(post(alice, "credentials/rename", new JsonObject().put("credentialId", id).put("label", "<b>mine</b>")),
        400, "invalid-label", LABEL_RULE);
    assertProblem(post(alice, "credentials/rename", new JsonObject().put("credentialId", id).put("label", "a\u0007b")),
        400, "invalid-label", LABEL_RULE);
    assertProblem(post(alice, "credentials/rename", new JsonObject().put("credentialId", id).put("label", "x".repeat(65))),
        400, "invalid-label", LABEL_RULE);
    assertProblem(post(alice, "credentials/rename", new JsonObject().put("credentialId", id).put("label", "   ")),
        400, "invalid-label", LABEL_RULE);
    assertEquals("Passkey", credentials(alice).getJsonObject(0).getString("label"));
    // 64 characters is the longest name.
    assertEquals(200, post(alice, "credentials/rename", new JsonObject().put("credentialId", id)
        .put("label", "\uD83D\uDD11".repeat(64))).statusCode());
    assertProblem(post(alice, "credentials/rename", new JsonObject().put("credentialId", id)), 400, "invalid-request", null);
    assertEquals("\uD83D\uDD11".repeat(64), credentials(alice).getJsonObject(0).getString("label"));
  }

  @Test
  void rename_anotherUsersPasskey_answersAsAnUnknownOne() throws Exception {
    var bobs = credentials(bob).getJsonObject(0).getString("id");
    var theirs = post(alice, "credentials/rename", new JsonObject().put("credentialId", bobs).put("label", "stolen"));
    var unknown = post(alice, "credentials/rename", new JsonObject().put("credentialId", "AAAAAAAAAAAAAAAAAAAAAA")
        .put("label", "stolen"));
    assertProblem(theirs, 404, "passkey-not-found", "No such passkey on your account.");
    assertEquals(unknown.statusCode(), theirs.statusCode());
    assertEquals(unknown.body(), theirs.body());
    assertEquals("Passkey", credentials(bob).getJsonObject(0).getString("label"));
  }

  @Test
  void rename_crossOriginOrWithoutSession_isRefused() throws Exception {
    var id = credentials(alice).getJsonObject(0).getString("id");
    var body = new JsonObject().put("credentialId", id).put("label", "x").encode();
    var cross = alice.send("POST", "/.stepgate/api/credentials/rename", body, "Content-Type", "application/json",
        "Origin", "https://evil.example");
    assertProblem(cross, 403, "cross-origin", null);
    assertProblem(post(alice.inAnotherBrowser(null), "credentials/rename", new JsonObject(body)), 401, "login-required", null);
    assertEquals("Passkey", credentials(alice).getJsonObject(0).getString("label"));
  }

  @Test
  void sessions_listsTheCallersSessions_byHandle_withDeviceAndCurrentMarked() throws Exception {
    var phone = alice.inAnotherBrowser(CHROME_ANDROID);
    phone.signIn();
    var list = get(alice, "sessions").getJsonArray("sessions");
    assertEquals(2, list.size(), list.encode());
    var mine = list.getJsonObject(0);
    var other = list.getJsonObject(1);
    assertEquals(AuditEntry.sessionHash(sessionId(alice)), mine.getString("id"));
    assertTrue(mine.getBoolean("current"));
    assertEquals("macOS", mine.getString("platform"));
    assertEquals("Firefox", mine.getString("browser"));
    assertEquals(AuditEntry.sessionHash(sessionId(phone)), other.getString("id"));
    assertFalse(other.getBoolean("current"));
    assertEquals("Android", other.getString("platform"));
    assertEquals("Chrome", other.getString("browser"));
    var credential = credentials(alice).getJsonObject(0).getString("id");
    assertEquals(credential, other.getString("credentialId"));
    assertTrue(other.getLong("signedInAt") >= mine.getLong("signedInAt"));
    assertTrue(other.getLong("lastSeenAt") >= other.getLong("signedInAt"));
    var body = get(alice, "sessions").encode();
    assertFalse(body.contains(sessionId(alice)), "never a session id");
    assertFalse(body.contains(sessionId(phone)), "never a session id");
    assertEquals(1, get(bob, "sessions").getJsonArray("sessions").size(), "only the caller's own");
  }

  @Test
  void endSession_one_endsThatSessionOnly() throws Exception {
    var phone = alice.inAnotherBrowser(CHROME_ANDROID);
    phone.signIn();
    var r = post(alice, "sessions/end", new JsonObject().put("session", AuditEntry.sessionHash(sessionId(phone))));
    assertEquals(200, r.statusCode(), r.body());
    assertEquals(new JsonObject().put("status", "ok"), new JsonObject(r.body()));
    assertEquals(401, phone.send("GET", "/.stepgate/api/session", null).statusCode());
    assertEquals(200, alice.send("GET", "/.stepgate/api/session", null).statusCode());
    assertEquals(1, get(alice, "sessions").getJsonArray("sessions").size());
    assertProblem(post(alice, "sessions/end", new JsonObject().put("session", AuditEntry.sessionHash(sessionId(phone)))),
        404, "session-not-found", "No such session on your account.");
  }

  @Test
  void endSession_anotherUsersSession_answersAsUnknown_andEndsNothing() throws Exception {
    var theirs = post(alice, "sessions/end", new JsonObject().put("session", AuditEntry.sessionHash(sessionId(bob))));
    var unknown = post(alice, "sessions/end", new JsonObject().put("session", "AAAAAAAAAAAAAAAAAAAAAA"));
    assertProblem(theirs, 404, "session-not-found", null);
    assertEquals(unknown.body(), theirs.body());
    assertEquals(200, bob.send("GET", "/.stepgate/api/session", null).statusCode());
    assertProblem(post(alice, "sessions/end", new JsonObject()), 400, "invalid-request", null);
    assertProblem(post(alice, "sessions/end", new JsonObject().put("others", "yes")), 400, "invalid-request", null);
  }

  @Test
  void endSession_others_endsEveryOtherSession_keepsTheCurrent() throws Exception {
    var phone = alice.inAnotherBrowser(CHROME_ANDROID);
    phone.signIn();
    var tablet = alice.inAnotherBrowser(null);
    tablet.signIn();
    assertEquals(3, get(alice, "sessions").getJsonArray("sessions").size());
    var r = post(alice, "sessions/end", new JsonObject().put("others", true));
    assertEquals(200, r.statusCode(), r.body());
    assertEquals(401, phone.send("GET", "/.stepgate/api/session", null).statusCode());
    assertEquals(401, tablet.send("GET", "/.stepgate/api/session", null).statusCode());
    var left = get(alice, "sessions").getJsonArray("sessions");
    assertEquals(1, left.size());
    assertTrue(left.getJsonObject(0).getBoolean("current"));
    assertEquals(200, bob.send("GET", "/.stepgate/api/session", null).statusCode(), "another user's sessions stay");
  }

  @Test
  void endSession_theCurrentOne_signsTheCallerOut() throws Exception {
    var r = post(alice, "sessions/end", new JsonObject().put("session", AuditEntry.sessionHash(sessionId(alice))));
    assertEquals(200, r.statusCode(), r.body());
    assertTrue(r.headers().firstValue("Set-Cookie").orElseThrow().contains("Max-Age=0"));
    assertEquals(401, alice.send("GET", "/.stepgate/api/session", null).statusCode());
  }

  @Test
  void accountPage_showsLabelsEscaped_andNudgesAOnePasskeyAccount() throws Exception {
    var carol = new PasskeyUser(alice.base);
    // Registration refuses markup in a label (as rename does), before the ceremony is spent ...
    var start = carol.api("registration/options", new JsonObject().put("username", "carol"));
    var credential = new JsonObject(carol.authenticator.create(start.getJsonObject("publicKey").encode()));
    var refused = carol.send("POST", "/.stepgate/api/registration/verify", new JsonObject()
        .put("ceremonyId", start.getString("ceremonyId")).put("credential", credential)
        .put("label", "<img src=x onerror=alert(1)>").encode(), "Content-Type", "application/json", "Origin", carol.base);
    assertEquals(400, refused.statusCode(), refused.body());
    assertTrue(refused.body().contains("invalid-label"), refused.body());
    // ... and what it accepts the page still shows as text.
    carol.api("registration/verify", new JsonObject().put("ceremonyId", start.getString("ceremonyId"))
        .put("credential", credential).put("label", "Tom & Jerry's \"q\""));
    var page = carol.send("GET", "/.stepgate/account", null, "Accept", "text/html");
    assertEquals(200, page.statusCode());
    var html = page.body();
    assertTrue(html.contains("Tom &amp; Jerry&#39;s &quot;q&quot;") || html.contains("Tom &amp; Jerry&#x27;s &quot;q&quot;"), html);
    assertTrue(html.contains("id=\"backup-nudge\""), "one passkey: the nudge");
    assertTrue(html.contains("Add a backup passkey"));
    assertTrue(html.contains("data-rename=\""));
    assertTrue(html.contains("data-rp-id=\"localhost\"") || html.contains("data-rp-id=\"127.0.0.1\""), html);
    assertTrue(html.contains("id=\"this-session\""));
    assertFalse(html.contains(sessionId(carol)), "never the session id");
    assertNull(page.headers().firstValue("Set-Cookie").orElse(null));
  }

  @Test
  void accountPage_twoPasskeys_noNudge_andListsSessionsWithTheirDevice() throws Exception {
    // A second passkey the proper way: a step-up made for adding one.
    alice.stepUp(new JsonObject().put("rule", "stepgate:add-passkey"));
    var device = new PasskeyUser(alice.base);
    var start = alice.api("registration/options", new JsonObject().put("username", "alice"));
    var credential = device.authenticator.create(start.getJsonObject("publicKey").encode());
    alice.api("registration/verify", new JsonObject().put("ceremonyId", start.getString("ceremonyId"))
        .put("credential", new JsonObject(credential)).put("label", "YubiKey"));
    alice.inAnotherBrowser(CHROME_ANDROID).signIn();
    var html = alice.send("GET", "/.stepgate/account", null, "Accept", "text/html").body();
    assertFalse(html.contains("id=\"backup-nudge\""), html);
    assertEquals(2, html.split("data-revoke=\"", -1).length - 1);
    assertTrue(html.contains("Firefox on macOS"), html);
    assertTrue(html.contains("Chrome on Android"), html);
    assertEquals(1, html.split("data-end-session=\"", -1).length - 1, "every session but this one can be ended");
    assertTrue(html.contains("id=\"end-others\""));
  }
}
