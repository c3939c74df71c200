package dev.stepgate.server;

import dev.stepgate.testing.TestClock;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stepgate.testing.Gateways;
import dev.stepgate.testing.PasskeyUser;
import dev.stepgate.testing.TestUpstream;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rate limits as a client meets them (SPEC section 9), on a real gateway whose clock the test
 * moves: 429 with {@code Retry-After} and problem JSON, recovery once the wait is over, the client
 * address per {@code trusted_proxies}, per-account limits, the ceremony bound, and a locked step-up
 * that never signs the real user out. Run on every session backend (memory, Redis).
 */
abstract class RateLimitGatewayContract {
  static final String POLICY = """
      version: 1
      defaults: { require: public }
      rules:
        - name: private
          match: { paths: ["/private/**"] }
          require: authenticated
        - name: secure
          match: { paths: ["/secure/**"] }
          require: step_up
          max_age: 5m
      """;

  @TempDir Path dir;
  TestUpstream upstream;
  final TestClock clock = new TestClock(Instant.now());
  final List<Gateway> gateways = new ArrayList<>();

  /** The {@code sessions:} config of the backend under test. */
  abstract String sessionsYaml();

  @BeforeEach
  void startUpstream() throws Exception {
    upstream = new TestUpstream();
  }

  @AfterEach
  void stop() throws Exception {
    for (var g : gateways) g.close();
    upstream.close();
  }

  /** A gateway with {@code yaml} (limits, trusted proxies) on the backend under test; its base URL. */
  String start(String yaml) throws Exception {
    var node = java.nio.file.Files.createDirectories(dir.resolve("g" + gateways.size()));
    var started = Gateways.withPolicy(upstream.url(), node, POLICY, sessionsYaml() + yaml, clock);
    gateways.add(started.gateway());
    return started.base();
  }

  static HttpResponse<String> post(PasskeyUser user, String path, JsonObject body, String... headers) throws Exception {
    var all = new ArrayList<>(List.of("Content-Type", "application/json", "Origin", user.base));
    all.addAll(List.of(headers));
    return user.send("POST", "/.stepgate/api/" + path, body.encode(), all.toArray(String[]::new));
  }

  static void assertRateLimited(HttpResponse<String> r, long retryAfter) {
    assertEquals(429, r.statusCode(), r.body());
    assertEquals(String.valueOf(retryAfter), r.headers().firstValue("Retry-After").orElse("none"));
    assertEquals("application/problem+json", r.headers().firstValue("Content-Type").orElseThrow());
    var p = new JsonObject(r.body());
    assertEquals("urn:stepgate:problem:rate-limited", p.getString("type"));
    assertEquals(429, p.getInteger("status"));
    assertEquals(retryAfter, p.getLong("retryAfter"));
  }

  @Test
  void loginOptions_pastTheBurst_429WithRetryAfter_thenRecoversAtTheRate() throws Exception {
    var base = start("limits: { per_ip: { ceremonies: { rate: 6/1m, burst: 3 } } }\n");
    var user = new PasskeyUser(base);
    for (int i = 0; i < 3; i++) assertEquals(200, post(user, "login/options", new JsonObject()).statusCode());
    assertRateLimited(post(user, "login/options", new JsonObject()), 10);
    // Refused calls do not push the end further away; one call is earned back every 10 s.
    assertRateLimited(post(user, "login/options", new JsonObject()), 10);
    clock.advance(Duration.ofMillis(9_001));
    assertRateLimited(post(user, "login/options", new JsonObject()), 1);
    clock.advance(Duration.ofSeconds(1));
    assertEquals(200, post(user, "login/options", new JsonObject()).statusCode());
    assertRateLimited(post(user, "login/options", new JsonObject()), 10);
    // Each endpoint counts on its own: a sign-in already begun can still be finished.
    assertNotEquals(429, post(user, "login/verify", new JsonObject().put("ceremonyId", "x")
        .put("credential", new JsonObject())).statusCode());
    var metrics = Gateways.metrics(gateways.get(0));
    assertEquals(4.0, Gateways.metric(metrics, "stepgate_rate_limited_total{endpoint=\"login_options\"}"));
    assertEquals(0.0, Gateways.metric(metrics, "stepgate_rate_limited_total{endpoint=\"step_up_verify\"}"));
  }

  @Test
  void perAccount_limitsOneUsername_fromEveryAddress() throws Exception {
    var base = start("trusted_proxies: [127.0.0.1/32]\nlimits: { per_account: { ceremonies: { rate: 2/1m, burst: 2 } } }\n");
    var user = new PasskeyUser(base);
    var bob = new JsonObject().put("username", "bob");
    assertEquals(200, post(user, "login/options", bob, "X-Forwarded-For", "203.0.113.1").statusCode());
    assertEquals(200, post(user, "login/options", bob, "X-Forwarded-For", "203.0.113.2").statusCode());
    assertRateLimited(post(user, "login/options", new JsonObject().put("username", " BOB"), "X-Forwarded-For", "203.0.113.3"), 30);
    assertEquals(200, post(user, "login/options", new JsonObject().put("username", "carol"),
        "X-Forwarded-For", "203.0.113.3").statusCode());
  }

  @Test
  void behindATrustedProxy_theForwardedForAddressIsCounted_andItsForgedPrefixIsNot() throws Exception {
    var base = start("trusted_proxies: [127.0.0.1/32]\nlimits: { per_ip: { ceremonies: { rate: 2/1m, burst: 2 } } }\n");
    var user = new PasskeyUser(base);
    for (int i = 0; i < 2; i++)
      assertEquals(200, post(user, "login/options", new JsonObject(), "X-Forwarded-For", "203.0.113.5").statusCode());
    assertRateLimited(post(user, "login/options", new JsonObject(), "X-Forwarded-For", "203.0.113.5"), 30);
    // The client wrote the left part itself; the proxy appended the address it saw.
    assertRateLimited(post(user, "login/options", new JsonObject(), "X-Forwarded-For", "198.51.100.7, 203.0.113.5"), 30);
    assertEquals(200, post(user, "login/options", new JsonObject(), "X-Forwarded-For", "203.0.113.6").statusCode());
  }

  @Test
  void untrustedClient_cannotDodgeItsLimitBySendingForwardedFor() throws Exception {
    var base = start("limits: { per_ip: { ceremonies: { rate: 2/1m, burst: 2 } } }\n");
    var user = new PasskeyUser(base);
    for (int i = 0; i < 2; i++)
      assertEquals(200, post(user, "login/options", new JsonObject(), "X-Forwarded-For", "203.0.113." + i).statusCode());
    for (int i = 2; i < 6; i++)
      assertRateLimited(post(user, "login/options", new JsonObject(), "X-Forwarded-For", "203.0.113." + i,
          "X-Real-IP", "203.0.113." + i), 30);
  }

  @Test
  void openCeremonies_areBoundedPerAddress_whateverTheRateAllows() throws Exception {
    var base = start("limits: { per_ip: { ceremonies: { rate: 1000/1m, burst: 1000 }, open_ceremonies: 4 } }\n");
    var user = new PasskeyUser(base);
    for (int i = 0; i < 3; i++) assertEquals(200, post(user, "login/options", new JsonObject()).statusCode());
    var refused = post(user, "login/options", new JsonObject());
    assertEquals(429, refused.statusCode(), refused.body());
    // One more may start once the oldest could have expired (a ceremony lives 5 min)...
    clock.advance(Duration.ofMinutes(5));
    assertEquals(200, post(user, "login/options", new JsonObject()).statusCode());
    assertEquals(429, post(user, "login/options", new JsonObject()).statusCode());
    // ...and a finished one does not free its place early: at most 4 in any 5 minutes.
  }

  @Test
  void forwardAuth_isLimitedPerClientOfTheProxy_withRetryAfter() throws Exception {
    var base = start("trusted_proxies: [127.0.0.1/32]\nlimits: { per_ip: { forward_auth: { rate: 60/1m, burst: 2 } } }\n");
    var proxy = new PasskeyUser(base);
    for (int i = 0; i < 2; i++)
      assertEquals(200, forwardAuth(proxy, base, "203.0.113.9").statusCode());
    var refused = forwardAuth(proxy, base, "203.0.113.9");
    assertEquals(429, refused.statusCode(), refused.body());
    assertEquals("1", refused.headers().firstValue("Retry-After").orElse("none"));
    assertEquals(200, forwardAuth(proxy, base, "203.0.113.10").statusCode());
    clock.advance(Duration.ofSeconds(1));
    assertEquals(200, forwardAuth(proxy, base, "203.0.113.9").statusCode());
    assertEquals(1.0, Gateways.metric(Gateways.metrics(gateways.get(0)), "stepgate_rate_limited_total{endpoint=\"forward_auth\"}"));
  }

  static HttpResponse<String> forwardAuth(PasskeyUser proxy, String base, String client) throws Exception {
    return proxy.send("GET", "/.stepgate/auth", null, "X-Original-Method", "GET", "X-Original-URL", base + "/public",
        "X-Forwarded-For", client, "Accept", "application/json");
  }

  @Test
  void failedStepUps_lockTheAccountsStepUp_butNeverSignTheRealUserOut() throws Exception {
    var base = start("limits: { step_up_failures: { max: 3, within: 3m } }\n");
    var victim = new PasskeyUser(base);
    victim.enroll("victim");
    var stolen = victim.cookie();
    // The attacker holds the victim's cookie and a passkey of its own account, not the victim's.
    var mallory = new PasskeyUser(base);
    mallory.enroll("mallory");
    var thief = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    for (int i = 0; i < 3; i++) {
      var options = mallory.send(thief, "POST", "/.stepgate/api/step-up/options", "{}", "Content-Type", "application/json",
          "Origin", base, "Cookie", stolen);
      assertEquals(200, options.statusCode(), options.body());
      var start = new JsonObject(options.body());
      var publicKey = start.getJsonObject("publicKey").put("allowCredentials", new JsonArray());
      var assertion = mallory.authenticator.get(publicKey.encode());
      var failed = mallory.send(thief, "POST", "/.stepgate/api/step-up/verify", new JsonObject()
          .put("ceremonyId", start.getString("ceremonyId")).put("credential", new JsonObject(assertion)).encode(),
          "Content-Type", "application/json", "Origin", base, "Cookie", stolen);
      assertEquals(401, failed.statusCode(), failed.body());
    }
    assertRateLimited(mallory.send(thief, "POST", "/.stepgate/api/step-up/options", "{}", "Content-Type", "application/json",
        "Origin", base, "Cookie", stolen), 60);

    // The victim is still signed in, with the same session, on every route that needs no step-up.
    assertEquals(200, victim.send("GET", "/private/statement", null).statusCode());
    assertEquals(200, victim.send("GET", "/.stepgate/api/session", null).statusCode());
    assertEquals(stolen, victim.cookie(), "the session was neither ended nor rotated");
    // Step-ups of the account wait out the lock, for everyone...
    assertRateLimited(post(victim, "step-up/options", new JsonObject()), 60);
    assertEquals(401, victim.send("GET", "/secure/x", null, "Accept", "application/json").statusCode());
    // ...and once it wears off the victim steps up and passes.
    clock.advance(Duration.ofSeconds(60));
    assertEquals("ok", victim.stepUp(new JsonObject()).getString("status"));
    assertEquals(200, victim.send("GET", "/secure/x", null).statusCode());
    assertEquals(200, victim.send("GET", "/private/statement", null).statusCode());
  }

  @Test
  void loginOptions_unknownUsername_looksLikeAKnownOne_andItsDecoysSurviveARestart() throws Exception {
    var base = start("");
    var alice = new PasskeyUser(base);
    alice.enroll("alice");
    var known = allowCredentials(alice, "alice");
    var unknown = allowCredentials(alice, "nobody");
    assertEquals(shape(known.getJsonObject(0)), shape(unknown.getJsonObject(0)));
    assertEquals(unknown, allowCredentials(alice, "nobody"), "the same decoys every time");
    assertEquals(unknown, allowCredentials(alice, " NoBody"), "for every spelling of the name");
    assertNotEquals(unknown, allowCredentials(alice, "someone-else"));

    // Another node on the same storage (or this one after a restart) answers the same decoys.
    gateways.remove(0).close();
    var again = Gateways.withPolicy(upstream.url(), dir.resolve("g0"), POLICY, sessionsYaml(), clock);
    gateways.add(again.gateway());
    var user = new PasskeyUser(again.base());
    assertEquals(unknown, allowCredentials(user, "nobody"));
    assertEquals(known, allowCredentials(user, "alice"));
  }

  static JsonArray allowCredentials(PasskeyUser user, String username) throws Exception {
    var r = post(user, "login/options", new JsonObject().put("username", username));
    assertEquals(200, r.statusCode(), r.body());
    var list = new JsonObject(r.body()).getJsonObject("publicKey").getJsonArray("allowCredentials");
    assertTrue(list.size() >= 1 && list.size() <= 2, list.encode());
    return list;
  }

  /** The member names and value types of a descriptor (ids are base64url of plausible length). */
  static String shape(JsonObject descriptor) {
    var id = descriptor.getString("id");
    assertTrue(id.matches("[A-Za-z0-9_-]{22,}"), id);
    var out = new StringBuilder();
    descriptor.fieldNames().stream().sorted().forEach(f -> out.append(f).append(':')
        .append(descriptor.getValue(f).getClass().getSimpleName()).append(' '));
    return out.toString();
  }
}
