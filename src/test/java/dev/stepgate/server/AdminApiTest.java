package dev.stepgate.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stepgate.ui.AdminApi;
import dev.stepgate.testing.Gateways;
import dev.stepgate.testing.PasskeyUser;
import dev.stepgate.testing.TestUpstream;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The admin HTTP API of a running gateway (SPEC section 8), as an app's backend calls it on
 * {@code admin_listen}: the bearer token or 401; links that work in a browser; a user's passkeys
 * listed as the account page lists them, and revoked with their sessions ending within a second;
 * every call one {@code admin_action} line, and never the token in the trail.
 */
class AdminApiTest {
  static final String TOKEN = "test-admin-token-0123456789abcdefghijklmnop";

  @TempDir Path dir;
  TestUpstream upstream;
  Gateway gateway;
  String base;
  final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();

  Path auditFile() {
    return dir.resolve("audit/audit.log");
  }

  @BeforeEach
  void start() throws Exception {
    upstream = new TestUpstream();
    // Invite-only sign-up: an enrollment link from the API is the only way in.
    var started = Gateways.withPolicy(upstream.url(), dir, Gateways.ADMIN_DENIED_PRIVATE_SIGNED_IN,
        "registration: invite\nadmin_token: " + TOKEN + "\naudit: { sink: file, path: " + auditFile() + " }\n");
    gateway = started.gateway();
    base = started.base();
  }

  @AfterEach
  void stop() throws Exception {
    if (gateway != null) gateway.close();
    if (upstream != null) upstream.close();
  }

  // ---- the token

  @Test
  void noToken_401WithBearerChallenge() throws Exception {
    var r = admin("POST", "invites", "{\"username\":\"alice\"}", (String) null);
    assertProblem(r, 401, "admin-token-required");
    assertEquals("Bearer realm=\"stepgate-admin\"", r.headers().firstValue("WWW-Authenticate").orElseThrow());
  }

  @Test
  void wrongToken_401InvalidToken_andNothingIsDone() throws Exception {
    for (var wrong : List.of(TOKEN + "x", TOKEN.substring(1), "x", TOKEN.toUpperCase())) {
      var r = admin("POST", "invites", "{\"username\":\"alice\"}", "Bearer " + wrong);
      assertProblem(r, 401, "admin-token-required");
      assertEquals("Bearer realm=\"stepgate-admin\", error=\"invalid_token\"",
          r.headers().firstValue("WWW-Authenticate").orElseThrow());
    }
    var refused = matching(action("invite"), 4);
    assertEquals(List.of("refused"), refused.stream().map(j -> j.getString("outcome")).distinct().toList());
    assertEquals(List.of(), matching(event("invite_issued"), 0), "no invite was made");
  }

  @Test
  void otherSchemes_401() throws Exception {
    for (var header : List.of("Basic " + TOKEN, TOKEN, "Bearer  " + TOKEN, "Bearer", "Token " + TOKEN))
      assertProblem(admin("GET", "users/alice/credentials", null, header), 401, "admin-token-required");
  }

  @Test
  void schemeInAnyLetterCase_isAccepted() throws Exception {
    var r = admin("POST", "invites", "{\"username\":\"alice\"}", "bEaReR " + TOKEN);
    assertEquals(201, r.statusCode(), r.body());
  }

  @Test
  void unknownPath_401WithoutToken_404WithIt() throws Exception {
    assertProblem(admin("GET", "nothing-here", null, (String) null), 401, "admin-token-required");
    assertProblem(admin("GET", "nothing-here", null), 404, "not-found");
    assertProblem(admin("GET", "invites", null), 404, "not-found");
  }

  @Test
  void repeatedFailures_429_whileTheRightTokenStillWorks() throws Exception {
    int refused = 0;
    HttpResponse<String> last = null;
    for (int i = 0; i < 15; i++) {
      last = admin("GET", "users/alice/credentials", null, "Bearer wrong-" + i);
      if (last.statusCode() == 429) refused++;
    }
    assertEquals(15 - AdminApi.FAILED_AUTH.burst(), refused);
    assertProblem(last, 429, "rate-limited");
    assertTrue(Integer.parseInt(last.headers().firstValue("Retry-After").orElseThrow()) >= 1);
    // Anyone who reaches the port could otherwise lock the app's backend out.
    assertEquals(201, admin("POST", "invites", "{\"username\":\"alice\"}").statusCode());
    assertEquals(AdminApi.FAILED_AUTH.burst(), matching(reason("admin-token-required"), AdminApi.FAILED_AUTH.burst()).size());
    assertEquals(1, matching(reason("rate-limited"), 1).size(), "audited once a minute per client, not per attempt");
  }

  @Test
  void adminTokenUnset_apiIsNotServed_metricsAre() throws Exception {
    gateway.close();
    Files.createDirectories(dir.resolve("other"));
    gateway = Gateways.withPolicy(upstream.url(), dir.resolve("other"), Gateways.OPEN_POLICY, "").gateway();
    for (var auth : new String[] {null, "Bearer " + TOKEN}) {
      var r = admin("POST", "invites", "{\"username\":\"alice\"}", auth);
      assertEquals(404, r.statusCode(), r.body());
      assertFalse(r.body().contains("url"), r.body());
    }
    Gateways.metrics(gateway);
  }

  // ---- invites

  @Test
  void invite_urlEnrollsThatUser() throws Exception {
    var r = admin("POST", "invites", "{\"username\":\" Alice \",\"ttl\":\"2h\"}");
    assertEquals(201, r.statusCode(), r.body());
    assertEquals("application/json", r.headers().firstValue("Content-Type").orElseThrow());
    assertEquals("no-store", r.headers().firstValue("Cache-Control").orElseThrow());
    var url = new JsonObject(r.body()).getString("url");
    assertTrue(url.startsWith(base + "/.stepgate/register?invite="), url);
    var alice = new PasskeyUser(base);
    enrollWith(alice, "alice", url);
    assertEquals(200, privateGet(alice).statusCode());
    // Spent: a second enrollment with the same link is refused.
    var again = new PasskeyUser(base).send("POST", "/.stepgate/api/registration/options",
        new JsonObject().put("username", "alice").put("invite", token(url)).encode(),
        "Content-Type", "application/json", "Origin", base);
    assertNotEquals(200, again.statusCode(), again.body());

    var line = matching(action("invite"), 1).get(0);
    assertEquals("ok", line.getString("outcome"));
    assertEquals("alice", line.getString("target"));
    assertEquals("api", line.getString("via"));
  }

  @Test
  void invite_withoutInvite_registrationIsRefused() throws Exception {
    // The control for the test above: invite-only really is invite-only here.
    var r = new PasskeyUser(base).send("POST", "/.stepgate/api/registration/options",
        new JsonObject().put("username", "mallory").encode(), "Content-Type", "application/json", "Origin", base);
    assertNotEquals(200, r.statusCode(), r.body());
  }

  @Test
  void invite_badBodies_400() throws Exception {
    for (var body : List.of("{", "[]", "\"alice\"", "", "{\"username\":5}", "{\"username\":\"  \"}", "{}",
        "{\"username\":\"alice\",\"tll\":\"1h\"}", "{\"username\":\"a\\u0001b\"}"))
      assertProblem(admin("POST", "invites", body), 400, "invalid-request");
  }

  @Test
  void invite_badTtl_400() throws Exception {
    for (var ttl : List.of("\"0m\"", "\"59s\"", "\"31d\"", "\"1w\"", "\"1h30m\"", "\"-1h\"", "3600", "null", "\"\""))
      assertProblem(admin("POST", "invites", "{\"username\":\"alice\",\"ttl\":" + ttl + "}"), 400, "invalid-request",
          "The field \"ttl\" must be a duration like 30m, 12h or 7d, from 1m to 30d.");
    for (var ttl : List.of("1m", "30d", "720h"))
      assertEquals(201, admin("POST", "invites", "{\"username\":\"alice\",\"ttl\":\"" + ttl + "\"}").statusCode());
  }

  @Test
  void invite_notJson_415() throws Exception {
    var r = send(request("POST", "invites", "{\"username\":\"alice\"}").header("Authorization", "Bearer " + TOKEN)
        .header("Content-Type", "application/x-www-form-urlencoded"));
    assertProblem(r, 415, "unsupported-media-type");
  }

  @Test
  void invite_oversizedBody_413() throws Exception {
    var big = "{\"username\":\"alice\",\"pad\":\"" + "x".repeat(AdminApi.MAX_BODY) + "\"}";
    assertProblem(admin("POST", "invites", big), 413, "body-too-large");
    var line = matching(reason("body-too-large"), 1).get(0);
    assertEquals("invite", line.getString("action"));
  }

  // ---- recovery links

  @Test
  void recoveryLink_opensARecoverySession() throws Exception {
    var bob = enrolled("bob");
    var r = admin("POST", "recovery-links", "{\"username\":\"BOB\"}");
    assertEquals(201, r.statusCode(), r.body());
    var url = new JsonObject(r.body()).getString("url");
    assertTrue(url.startsWith(base + "/.stepgate/recover?token="), url);
    var stranger = new PasskeyUser(base);
    stranger.api("recovery/verify", new JsonObject().put("token", url.substring(url.indexOf("token=") + 6)));
    var line = matching(action("recovery-link"), 1).get(0);
    assertEquals("bob", line.getString("target"));
    assertEquals(userId(bob), line.getString("user"));
    assertEquals("admin-api", matching(event("recovery_link_issued"), 1).get(0).getString("by"));
  }

  @Test
  void recoveryLink_unknownUser_404() throws Exception {
    assertProblem(admin("POST", "recovery-links", "{\"username\":\"nobody\"}"), 404, "unknown-user", "No such user.");
    assertProblem(admin("POST", "recovery-links", "{\"username\":\"nobody\",\"ttl\":\"99d\"}"), 400, "invalid-request");
  }

  // ---- credentials

  @Test
  void credentials_areListedAsTheAccountPageListsThem() throws Exception {
    var carol = enrolled("carol");
    var own = new JsonObject(carol.send("GET", "/.stepgate/api/credentials", null).body());
    var r = admin("GET", "users/carol/credentials", null);
    assertEquals(200, r.statusCode(), r.body());
    assertEquals(own, new JsonObject(r.body()));
    assertEquals(1, own.getJsonArray("credentials").size());
  }

  @Test
  void credentials_usernameInThePath_isDecodedAndNormalized() throws Exception {
    var name = "ana maría/ü";
    enrolled(name);
    var path = "users/" + URLEncoder.encode("ANA MARÍA/Ü", StandardCharsets.UTF_8).replace("+", "%20") + "/credentials";
    var r = admin("GET", path, null);
    assertEquals(200, r.statusCode(), r.body());
    assertEquals(1, new JsonObject(r.body()).getJsonArray("credentials").size());
  }

  @Test
  void credentials_unknownUser_404_andTheNameIsNotReflected() throws Exception {
    var r = admin("GET", "users/%3Cscript%3E/credentials", null);
    assertProblem(r, 404, "unknown-user", "No such user.");
    assertFalse(r.body().contains("script"), r.body());
  }

  @Test
  void revoke_endsThatPasskeysSessionWithinASecond_lastPasskeyIncluded() throws Exception {
    var dave = enrolled("dave");
    var erin = enrolled("erin");
    var id = onlyCredential("dave");
    var daveId = userId(dave);
    var r = admin("DELETE", "users/dave/credentials/" + id, null);
    assertEquals(204, r.statusCode(), r.body());
    assertEquals("", r.body());
    assertSignedOutWithin(dave);
    assertEquals(200, privateGet(erin).statusCode(), "another user's session stays");
    assertEquals(0, credentials("dave").size());
    var revoked = matching(event("passkey_revoked"), 1).get(0);
    assertEquals(id, revoked.getString("credential"));
    assertEquals("admin-api", revoked.getString("by"));
    var line = matching(action("credentials.revoke"), 1).get(0);
    assertEquals(daveId, line.getString("user"));
    assertEquals("ok", line.getString("outcome"));
  }

  @Test
  void revoke_idInAnotherSpelling_namesTheSamePasskey() throws Exception {
    var frank = enrolled("frank");
    var id = onlyCredential("frank");
    var standard = java.util.Base64.getEncoder().encodeToString(java.util.Base64.getUrlDecoder().decode(id));
    var r = admin("DELETE", "users/frank/credentials/" + URLEncoder.encode(standard, StandardCharsets.UTF_8), null);
    assertEquals(204, r.statusCode(), r.body());
    assertSignedOutWithin(frank);
  }

  @Test
  void revoke_badInputs() throws Exception {
    enrolled("gina");
    var id = onlyCredential("gina");
    enrolled("hank");
    var hanks = onlyCredential("hank");
    assertProblem(admin("DELETE", "users/gina/credentials/" + hanks, null), 404, "passkey-not-found");
    assertProblem(admin("DELETE", "users/nobody/credentials/" + id, null), 404, "unknown-user");
    assertProblem(admin("DELETE", "users/gina/credentials/%21%21", null), 400, "invalid-request");
    assertEquals(1, credentials("gina").size(), "nothing was revoked");
    assertEquals(1, credentials("hank").size(), "nothing was revoked");
    var refused = matching(action("credentials.revoke"), 3);
    assertEquals(List.of("passkey-not-found", "unknown-user", "invalid-request"),
        refused.stream().map(j -> j.getString("reason")).toList());
  }

  // ---- the trail

  @Test
  void groups_putAndDelete_changeTheAssertionsGroupsWithinASecond() throws Exception {
    var carol = enrolled("carol");
    assertEquals(401, admin("PUT", "users/carol/groups/admins", null, null).statusCode());
    assertEquals(204, admin("PUT", "users/carol/groups/admins", null).statusCode());
    assertEquals(204, admin("PUT", "users/carol/groups/admins", null).statusCode(), "idempotent");
    assertEquals(List.of("admins"), groupsWithin(carol, List.of("admins")));
    assertEquals(204, admin("DELETE", "users/carol/groups/admins", null).statusCode());
    assertEquals(List.of(), groupsWithin(carol, List.of()));
    var bad = admin("PUT", "users/carol/groups/not%20a%20group", null);
    assertEquals(400, bad.statusCode(), bad.body());
    assertTrue(bad.body().contains("group-invalid"), bad.body());
    assertEquals(404, admin("PUT", "users/nobody/groups/admins", null).statusCode());
  }

  /** The groups claim of carol's next forwarded request, polled until it is {@code expected} (at most 1 s). */
  List<String> groupsWithin(PasskeyUser user, List<String> expected) throws Exception {
    long deadline = System.nanoTime() + 1_000_000_000L;
    List<String> seen;
    do {
      assertEquals(200, privateGet(user).statusCode());
      var claim = user.verify(upstream.last().headers().get("X-Stepgate-Assertion")).getStringListClaim("groups");
      seen = claim == null ? List.of() : claim;
      if (seen.equals(expected)) return seen;
      Thread.sleep(50);
    } while (System.nanoTime() < deadline);
    return seen;
  }

  @Test
  void everyCall_isAuditedAsAdminAction_withoutTheToken() throws Exception {
    enrolled("ivan");
    admin("POST", "invites", "{\"username\":\"judy\"}");
    admin("GET", "users/ivan/credentials", null);
    admin("GET", "users/ivan/credentials", null, "Bearer " + TOKEN.substring(0, 20));
    admin("GET", "users/ivan/credentials", null, (String) null);
    matching(reason("admin-token-required"), 2);
    var actions = matching(event("admin_action"), 5);
    // The first invite enrolled ivan; then four calls.
    assertEquals(5, actions.size(), actions.toString());
    var credentialsCalls = actions.stream().filter(action("credentials.list")).toList();
    assertEquals(List.of("ok", "refused", "refused"), credentialsCalls.stream().map(j -> j.getString("outcome")).toList());
    for (var j : actions) {
      assertTrue(j.getString("request_id") != null && j.getString("ip") != null, j.encode());
    }
    var text = Files.readString(auditFile());
    assertFalse(text.contains(TOKEN.substring(0, 20)), "the token, or the part tried, is never written");
    assertFalse(text.contains("invite="), "nor a link");
  }

  // ---- helpers

  HttpRequest.Builder request(String method, String path, String body) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.adminPort() + "/admin/api/" + path))
        .timeout(Duration.ofSeconds(10))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
  }

  HttpResponse<String> send(HttpRequest.Builder b) throws Exception {
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** An admin call with the right token. */
  HttpResponse<String> admin(String method, String path, String body) throws Exception {
    return admin(method, path, body, "Bearer " + TOKEN);
  }

  /** An admin call with {@code authorization} as the header (null: none). */
  HttpResponse<String> admin(String method, String path, String body, String authorization) throws Exception {
    var b = request(method, path, body);
    if (body != null) b.header("Content-Type", "application/json");
    if (authorization != null) b.header("Authorization", authorization);
    return send(b);
  }

  static String token(String url) {
    return url.substring(url.indexOf("invite=") + "invite=".length());
  }

  /** Enrolls {@code user} as {@code username} with the invite link {@code url}, as the register page does. */
  void enrollWith(PasskeyUser user, String username, String url) throws Exception {
    var start = user.api("registration/options", new JsonObject().put("username", username).put("invite", token(url)));
    var credential = user.authenticator.create(start.getJsonObject("publicKey").encode());
    user.api("registration/verify", new JsonObject().put("ceremonyId", start.getString("ceremonyId"))
        .put("credential", new JsonObject(credential)));
  }

  /** A signed-in user with one passkey, enrolled through an invite from the API. */
  PasskeyUser enrolled(String username) throws Exception {
    var r = admin("POST", "invites", new JsonObject().put("username", username).encode());
    assertEquals(201, r.statusCode(), r.body());
    var user = new PasskeyUser(base);
    enrollWith(user, username, new JsonObject(r.body()).getString("url"));
    assertEquals(200, privateGet(user).statusCode());
    return user;
  }

  JsonArray credentials(String username) throws Exception {
    var r = admin("GET", "users/" + username + "/credentials", null);
    assertEquals(200, r.statusCode(), r.body());
    return new JsonObject(r.body()).getJsonArray("credentials");
  }

  String onlyCredential(String username) throws Exception {
    var list = credentials(username);
    assertEquals(1, list.size(), list.encode());
    return list.getJsonObject(0).getString("id");
  }

  /** The stable id of {@code user}'s account, as its own session names it. */
  static String userId(PasskeyUser user) throws Exception {
    var id = new JsonObject(user.send("GET", "/.stepgate/api/session", null).body()).getString("userId");
    assertTrue(id != null && !id.isBlank());
    return id;
  }

  static HttpResponse<String> privateGet(PasskeyUser user) throws Exception {
    return user.send("GET", "/private/statement", null, "Accept", "application/json");
  }

  /** Polls until the session gets the sign-in answer; fails if that takes longer than a second (SPEC section 1). */
  static void assertSignedOutWithin(PasskeyUser user) throws Exception {
    long deadline = System.nanoTime() + 1_000_000_000L;
    HttpResponse<String> r;
    do {
      r = privateGet(user);
      if (r.statusCode() == 401) return;
      Thread.sleep(20);
    } while (System.nanoTime() < deadline);
    throw new AssertionError("the session still worked a second after the revocation: " + r.statusCode());
  }

  static void assertProblem(HttpResponse<String> r, int status, String type) {
    assertProblem(r, status, type, null);
  }

  static void assertProblem(HttpResponse<String> r, int status, String type, String detail) {
    assertEquals(status, r.statusCode(), r.body());
    assertEquals("application/problem+json", r.headers().firstValue("Content-Type").orElseThrow(), r.body());
    var p = new JsonObject(r.body());
    assertEquals("urn:stepgate:problem:" + type, p.getString("type"));
    if (detail != null) assertEquals(detail, p.getString("detail"));
    assertFalse(r.body().contains("Exception"), r.body());
  }

  /**
   * The audit lines {@code match} holds for, once there are at least {@code atLeast} (the writer
   * is asynchronous); with 0, what is there after a moment for late lines to arrive.
   */
  List<JsonObject> matching(Predicate<JsonObject> match, int atLeast) throws Exception {
    if (atLeast == 0) Thread.sleep(300);
    List<JsonObject> found = List.of();
    for (int i = 0; i < 200; i++) {
      var out = new ArrayList<JsonObject>();
      if (Files.exists(auditFile())) for (var l : Files.readAllLines(auditFile())) out.add(new JsonObject(l));
      found = out.stream().filter(match).toList();
      if (found.size() >= atLeast) return found;
      Thread.sleep(25);
    }
    throw new AssertionError("only " + found.size() + " of " + atLeast + " audit lines: "
        + (Files.exists(auditFile()) ? Files.readString(auditFile()) : "(none)"));
  }

  static Predicate<JsonObject> reason(String reason) {
    return j -> "admin_action".equals(j.getString("event")) && reason.equals(j.getString("reason"));
  }

  static Predicate<JsonObject> event(String name) {
    return j -> name.equals(j.getString("event"));
  }

  static Predicate<JsonObject> action(String name) {
    return j -> "admin_action".equals(j.getString("event")) && name.equals(j.getString("action"));
  }
}
