package dev.stepgate.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stepgate.testing.Gateways;
import dev.stepgate.testing.PasskeyUser;
import dev.stepgate.testing.TestUpstream;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The audit trail of a real gateway (SPEC section 9), read from its {@code audit.sink: file}: the
 * events of a sign-up, sign-in, step-up and their failures, each one JSON line with the fixed keys
 * and the request's address and platform; the forwarded assertion's {@code jti} is the one {@code
 * step_up_passed} names; and no line holds a session cookie or an assertion.
 */
class AuditTrailGatewayTest {
  static final List<String> FIXED = List.of("ts", "event", "user", "sid", "request_id", "ip", "platform");

  @TempDir Path dir;

  Path auditFile() {
    return dir.resolve("audit/audit.log");
  }

  String auditYaml() {
    return "audit: { sink: file, path: " + auditFile() + " }\n";
  }

  /** The lines written so far, once {@code until} holds for one of them (the writer is asynchronous). */
  List<JsonObject> lines(Predicate<JsonObject> until) throws Exception {
    for (int i = 0; i < 200; i++) {
      var out = new ArrayList<JsonObject>();
      if (Files.exists(auditFile())) for (var l : Files.readAllLines(auditFile())) out.add(new JsonObject(l));
      if (out.stream().anyMatch(until)) return out;
      Thread.sleep(25);
    }
    throw new AssertionError("no such audit line in " + Files.readString(auditFile()));
  }

  static Predicate<JsonObject> event(String name) {
    return j -> name.equals(j.getString("event"));
  }

  static JsonObject only(List<JsonObject> lines, String name) {
    var found = lines.stream().filter(event(name)).toList();
    assertEquals(1, found.size(), name + " in " + lines);
    return found.get(0);
  }

  @Test
  void signInAndStepUp_areAudited_withRulesAndTheAssertionsJti_andNoSecrets() throws Exception {
    try (var upstream = new TestUpstream()) {
      var started = Gateways.withPolicy(upstream.url(), dir, FunnelMetricsTest.POLICY, auditYaml());
      try (var gateway = started.gateway()) {
        var cookies = new ArrayList<String>();
        var phone = new PasskeyUser(started.base()).withUserAgent(FunnelMetricsTest.IPHONE);
        phone.enroll("alice");
        cookies.add(phone.cookie());
        phone.api("logout", new JsonObject());
        var options = phone.api("login/options", new JsonObject().put("username", "alice"));
        var assertion = phone.authenticator.get(options.getJsonObject("publicKey").encode());
        phone.api("login/verify", new JsonObject().put("ceremonyId", options.getString("ceremonyId"))
            .put("credential", new JsonObject(assertion)));
        cookies.add(phone.cookie());
        // A sign-in that fails: an unknown ceremony.
        var stale = phone.send("POST", "/.stepgate/api/login/verify", new JsonObject().put("ceremonyId", "gone")
            .put("credential", new JsonObject()).encode(), "Content-Type", "application/json", "Origin", started.base());
        assertEquals(400, stale.statusCode(), stale.body());
        // Prompted, a failed step-up (an assertion for another challenge), then one that passes.
        assertEquals(401, phone.send("GET", "/payouts/x", null, "Accept", "application/json").statusCode());
        var first = phone.api("step-up/options", new JsonObject());
        var other = phone.api("step-up/options", new JsonObject());
        var wrong = phone.authenticator.get(other.getJsonObject("publicKey").encode());
        var failed = phone.send("POST", "/.stepgate/api/step-up/verify", new JsonObject()
            .put("ceremonyId", first.getString("ceremonyId")).put("credential", new JsonObject(wrong)).put("rule", "payouts")
            .encode(), "Content-Type", "application/json", "Origin", started.base());
        assertEquals(401, failed.statusCode(), failed.body());
        phone.stepUp(new JsonObject().put("rule", "payouts"));
        cookies.add(phone.cookie());
        assertEquals(200, phone.send("GET", "/payouts/x", null, "Accept", "application/json").statusCode());
        var token = upstream.last().headers().get("X-Stepgate-Assertion");
        var jti = phone.verify(token).getJWTID();

        var lines = lines(event("step_up_passed"));
        for (var line : lines) assertEquals(FIXED, List.copyOf(line.fieldNames()).subList(0, FIXED.size()), line.encode());
        var added = only(lines, "passkey_added");
        var userId = added.getString("user");
        assertTrue(added.getString("credential") != null);
        var signedIn = only(lines, "signed_in");
        assertEquals(userId, signedIn.getString("user"));
        assertEquals("ios", signedIn.getString("platform"));
        assertEquals("127.0.0.1", signedIn.getString("ip"));
        assertTrue(signedIn.getString("request_id") != null && signedIn.getString("sid") != null);
        assertEquals("ceremony-invalid", only(lines, "sign_in_failed").getString("reason"));
        var prompted = only(lines, "step_up_prompted");
        assertEquals("payouts", prompted.getString("rule"));
        assertEquals(userId, prompted.getString("user"));
        var stepFailed = only(lines, "step_up_failed");
        assertEquals("payouts", stepFailed.getString("rule"));
        assertTrue(stepFailed.getString("reason") != null);
        var passed = only(lines, "step_up_passed");
        assertEquals("payouts", passed.getString("rule"));
        assertEquals(added.getString("credential"), passed.getString("credential"));
        assertTrue(jti != null && !jti.isEmpty());
        assertEquals(jti, passed.getString("jti"));
        assertEquals(userId, passed.getString("user"));

        var text = Files.readString(auditFile());
        for (var c : cookies) assertFalse(text.contains(c.substring(c.indexOf('=') + 1)), "a session cookie in the trail");
        assertFalse(text.contains(token), "the assertion in the trail");
        for (var part : token.split("\\.")) assertFalse(text.contains(part), "part of the assertion in the trail");
        assertEquals(0, Gateways.metric(Gateways.metrics(gateway), "stepgate_audit_dropped_total"));
      }
    }
  }

  @Test
  void rateLimitedCall_isAudited_withItsEndpoint() throws Exception {
    try (var upstream = new TestUpstream()) {
      var started = Gateways.withPolicy(upstream.url(), dir, FunnelMetricsTest.POLICY,
          "limits: { per_ip: { ceremonies: { rate: 1/1m, burst: 1 } } }\n" + auditYaml());
      try (var gateway = started.gateway()) {
        var client = new PasskeyUser(started.base());
        int refused = 0;
        for (int i = 0; i < 3; i++)
          if (client.send("POST", "/.stepgate/api/login/options", "{}", "Content-Type", "application/json",
              "Origin", started.base()).statusCode() == 429) refused++;
        assertTrue(refused >= 1);
        var limited = lines(event("rate_limited")).stream().filter(event("rate_limited")).toList();
        assertEquals(refused, limited.size());
        assertEquals("login_options", limited.get(0).getString("endpoint"));
        assertEquals("127.0.0.1", limited.get(0).getString("ip"));
      }
    }
  }

  @Test
  void policyReload_appliedAndRefused_areAudited() throws Exception {
    try (var upstream = new TestUpstream()) {
      var started = Gateways.withPolicy(upstream.url(), dir, FunnelMetricsTest.POLICY, auditYaml());
      try (var gateway = started.gateway()) {
        var policy = dir.resolve("policy.yaml");
        Files.writeString(policy, Gateways.OPEN_POLICY);
        var reloaded = only(lines(event("policy_reloaded")), "policy_reloaded");
        assertEquals(policy.toString(), reloaded.getString("path"));
        assertEquals("0", reloaded.getString("rules"));
        Files.writeString(policy, "version: 1\nrules: [ nope\n");
        var failed = only(lines(event("policy_reload_failed")), "policy_reload_failed");
        assertTrue(Integer.parseInt(failed.getString("problems")) >= 1);
      }
    }
  }

  @Test
  void heldPost_prompted_thenReplayed_isAudited_withItsRuleAndPathOnly() throws Exception {
    try (var upstream = new TestUpstream()) {
      var started = Gateways.withPolicy(upstream.url(), dir, StepUpFlowTest.POLICY, auditYaml());
      try (var gateway = started.gateway()) {
        var user = new PasskeyUser(started.base());
        user.enroll("carol");
        var held = user.send("POST", "/account/email?t=secret-query", "email=c", "Accept", "text/html",
            "Content-Type", "application/x-www-form-urlencoded");
        assertEquals(303, held.statusCode());
        var location = held.headers().firstValue("Location").orElseThrow();
        var heldId = location.substring(location.indexOf("held=") + 5);
        var done = user.stepUp(new JsonObject().put("held", heldId));
        assertEquals(200, user.send("GET", done.getString("resume"), null, "Accept", "text/html").statusCode());
        var lines = lines(event("held_replayed"));
        assertEquals("change-email", only(lines, "step_up_prompted").getString("rule"));
        assertEquals("change-email", only(lines, "step_up_passed").getString("rule"));
        var replayed = only(lines, "held_replayed");
        assertEquals("change-email", replayed.getString("rule"));
        assertEquals("POST", replayed.getString("method"));
        assertEquals("/account/email", replayed.getString("path"));
        assertFalse(Files.readString(auditFile()).contains("secret-query"));
      }
    }
  }
}
