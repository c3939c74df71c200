package dev.stepgate.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stepgate.admin.CliTestAccess;
import dev.stepgate.testing.Gateways;
import dev.stepgate.testing.PasskeyUser;
import dev.stepgate.testing.RecordingAuditTrail;
import dev.stepgate.testing.TestClock;
import dev.stepgate.testing.TestUpstream;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Account recovery through the whole gateway (SPEC section 4): recovery codes offered at first
 * enrollment and spent once, a recovery session that can do nothing but enroll a passkey, the
 * passkey it enrolls refused by {@code min_credential_age} until it is old enough, and recovery
 * links from the command line, single use and expiring.
 */
class RecoveryTest {
  static final String POLICY = """
      version: 1
      defaults: { require: authenticated }
      rules:
        - name: home
          match: { paths: ["/"] }
          require: public
        - name: payouts
          description: Approve payouts
          match: { paths: ["/payouts"] }
          require: step_up
          max_age: 5m
          min_credential_age: 24h
      """;
  static final String CODE = "[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}";

  @TempDir Path dir;
  TestUpstream upstream;
  Gateway gateway;
  String base;
  TestClock clock;
  RecordingAuditTrail audit;
  PasskeyUser alice;
  List<String> codes;

  @BeforeEach
  void start() throws Exception {
    upstream = new TestUpstream();
    clock = new TestClock(Instant.now().truncatedTo(ChronoUnit.MINUTES));
    audit = new RecordingAuditTrail();
    var started = Gateways.withPolicy(upstream.url(), dir, POLICY, "trusted_proxies: [127.0.0.1/32]\n", clock, audit);
    gateway = started.gateway();
    base = started.base();
    alice = new PasskeyUser(base);
    var start = alice.api("registration/options", new JsonObject().put("username", "alice"));
    var credential = alice.authenticator.create(start.getJsonObject("publicKey").encode());
    var done = alice.api("registration/verify", new JsonObject().put("ceremonyId", start.getString("ceremonyId"))
        .put("credential", new JsonObject(credential)));
    codes = done.getJsonArray("recoveryCodes").stream().map(String.class::cast).toList();
  }

  @AfterEach
  void stop() throws Exception {
    gateway.close();
    upstream.close();
  }

  HttpResponse<String> call(PasskeyUser who, String path, JsonObject body) throws Exception {
    return who.send("POST", "/.stepgate/api/" + path, body.encode(), "Content-Type", "application/json", "Origin", who.base);
  }

  HttpResponse<String> recover(PasskeyUser who, String username, String code) throws Exception {
    return call(who, "recovery/verify", new JsonObject().put("username", username).put("code", code));
  }

  /** Enrolls a passkey with {@code who}'s authenticator in the session its cookie holds. */
  void enrollInRecovery(PasskeyUser who) throws Exception {
    var start = who.api("registration/options", new JsonObject());
    var credential = who.authenticator.create(start.getJsonObject("publicKey").encode());
    var done = who.api("registration/verify", new JsonObject().put("ceremonyId", start.getString("ceremonyId"))
        .put("credential", new JsonObject(credential)));
    assertFalse(done.containsKey("recoveryCodes"), "recovery codes come with a new account only");
  }

  @Test
  void firstEnrollment_offersTenDistinctCodes() {
    assertEquals(10, codes.size());
    assertEquals(10, new HashSet<>(codes).size());
    assertTrue(codes.stream().allMatch(c -> c.matches(CODE)), codes.toString());
    assertEquals(1, audit.named("recovery_codes_issued").size());
    assertTrue(audit.entries().stream().noneMatch(e -> codes.stream().anyMatch(c -> e.toString().contains(c))));
  }

  @Test
  void code_worksOnce_andWrongUnknownAndUsedGetTheSameAnswer() throws Exception {
    var lost = new PasskeyUser(base);
    var wrong = recover(lost, "alice", "AAAA-BBBB-CCCC-DDDD");
    var unknown = recover(lost, "nobody", codes.get(0));
    assertEquals(401, wrong.statusCode());
    assertEquals("urn:stepgate:problem:recovery-failed", new JsonObject(wrong.body()).getString("type"));
    assertEquals(wrong.body(), unknown.body());

    var ok = recover(lost, "alice", codes.get(0).toLowerCase(Locale.ROOT).replace("-", " "));
    assertEquals(200, ok.statusCode(), ok.body());
    var used = recover(new PasskeyUser(base), "alice", codes.get(0));
    assertEquals(401, used.statusCode());
    assertEquals(wrong.body(), used.body());

    assertEquals(1, audit.named("recovery_code_used").size());
    assertEquals(List.of("code-not-valid", "unknown-user", "code-not-valid"),
        audit.named("recovery_failed").stream().map(e -> e.fields().get("reason")).toList());
    assertTrue(audit.entries().stream().noneMatch(e -> codes.stream().anyMatch(c -> e.toString().contains(c))));
    assertTrue(Gateways.metrics(gateway).contains("stepgate_recovery_total{method=\"code\",outcome=\"ok\"} 1.0"));
  }

  @Test
  void recoverySession_isNotSignedIn_anywhereButEnrollment() throws Exception {
    var lost = new PasskeyUser(base);
    assertEquals(200, recover(lost, "alice", codes.get(1)).statusCode());
    var cookie = lost.cookie();

    var proxied = lost.send("GET", "/account", null, "Accept", "application/json");
    assertEquals(401, proxied.statusCode());
    assertTrue(upstream.received().stream().noneMatch(r -> r.uri().equals("/account")));
    assertEquals(401, lost.send("GET", "/.stepgate/api/session", null).statusCode());
    for (var path : List.of("step-up/options", "credentials/revoke", "recovery/codes")) {
      var r = call(lost, path, new JsonObject().put("credentialId", "AAAA"));
      assertEquals(401, r.statusCode(), path);
      assertEquals("urn:stepgate:problem:login-required", new JsonObject(r.body()).getString("type"), path);
    }
    var forwardAuth = lost.send("GET", "/.stepgate/auth", null, "X-Forwarded-Method", "GET", "X-Forwarded-Proto", "http",
        "X-Forwarded-Host", "localhost:" + URI.create(base).getPort(), "X-Forwarded-Uri", "/account", "Cookie", cookie);
    assertEquals(401, forwardAuth.statusCode());
    // Nor can it register a passkey for another account.
    var other = call(lost, "registration/options", new JsonObject().put("username", "mallory"));
    assertEquals(200, other.statusCode());
    assertTrue(new JsonObject(other.body()).getJsonObject("publicKey").getJsonObject("user").getString("name").equals("alice"));
  }

  @Test
  void recoverySession_expiresInTenMinutes() throws Exception {
    var lost = new PasskeyUser(base);
    assertEquals(200, recover(lost, "alice", codes.get(2)).statusCode());
    clock.advance(Duration.ofMinutes(10).plusSeconds(1));
    var r = call(lost, "registration/options", new JsonObject());
    assertNotEquals(200, r.statusCode(), r.body());
  }

  @Test
  void enrollInRecovery_newPasskeyWaitsForMinCredentialAge() throws Exception {
    var lost = new PasskeyUser(base); // a new authenticator: the old one is lost
    var recoveredAt = clock.instant();
    assertEquals(200, recover(lost, "alice", codes.get(3)).statusCode());
    var recoveryCookie = lost.cookie();
    enrollInRecovery(lost);
    assertNotEquals(recoveryCookie, lost.cookie(), "the recovery session ends; a normal one begins");
    assertEquals(200, lost.send("GET", "/account", null, "Accept", "application/json").statusCode());
    var account = lost.send("GET", "/.stepgate/account", null, "Accept", "text/html").body();
    assertTrue(account.contains("added by recovery"), account);
    var listed = new JsonObject(lost.send("GET", "/.stepgate/api/credentials", null).body()).getJsonArray("credentials");
    // Both were enrolled at the same instant of the test clock: their order is not the point, the flags are.
    assertEquals(List.of(false, true), listed.stream().map(o -> ((JsonObject) o).getBoolean("viaRecovery")).sorted().toList(),
        "GET credentials marks the passkey added by recovery, and only that one");
    assertTrue(account.contains("Get new recovery codes"), account);
    assertEquals("alice", new JsonObject(lost.send("GET", "/.stepgate/api/session", null).body()).getString("user"));
    var reused = lost.send("POST", "/.stepgate/api/registration/options", "{}", "Content-Type", "application/json",
        "Origin", base, "Cookie", recoveryCookie);
    assertNotEquals(200, reused.statusCode(), "the recovery session is gone");

    clock.advance(Duration.ofHours(1));
    var refused = call(lost, "step-up/verify", stepUpBody(lost));
    assertEquals(403, refused.statusCode(), refused.body());
    var when = DateTimeFormatter.ofPattern("d MMM, HH:mm 'UTC'", Locale.ENGLISH).withZone(ZoneOffset.UTC)
        .format(recoveredAt.plus(Duration.ofHours(24)));
    var detail = new JsonObject(refused.body()).getString("detail");
    assertTrue(detail.contains("from " + when), detail);
    assertEquals(401, lost.send("GET", "/payouts", null, "Accept", "application/json").statusCode());
    // The trail calls the refused step-up failed, never passed.
    assertEquals(List.of(), audit.named("step_up_passed").stream().filter(e -> "payouts".equals(e.fields().get("rule"))).toList());
    assertEquals("step-up-not-qualified", audit.named("step_up_failed").get(audit.named("step_up_failed").size() - 1)
        .fields().get("reason"));

    var passedBefore = audit.named("step_up_passed").size();

    clock.advance(Duration.ofHours(23));
    lost.stepUp(new JsonObject().put("rd", "/payouts"));
    assertEquals(200, lost.send("GET", "/payouts", null, "Accept", "application/json").statusCode());
    assertEquals(passedBefore + 1, audit.named("step_up_passed").size());
  }

  @Test
  void recoverySession_enrollsOnePasskeyOnly_evenWhenTwoRace() throws Exception {
    var lost = new PasskeyUser(base);
    assertEquals(200, recover(lost, "alice", codes.get(5)).statusCode());
    var cookie = lost.cookie();
    var bodies = new java.util.ArrayList<String>();
    for (int i = 0; i < 2; i++) {
      var start = lost.api("registration/options", new JsonObject());
      var credential = lost.authenticator.create(start.getJsonObject("publicKey").encode());
      bodies.add(new JsonObject().put("ceremonyId", start.getString("ceremonyId")).put("credential", new JsonObject(credential))
          .encode());
    }
    var pool = java.util.concurrent.Executors.newFixedThreadPool(2);
    try {
      var answers = pool.invokeAll(bodies.stream().<java.util.concurrent.Callable<Integer>>map(b -> () ->
          new PasskeyUser(base).send("POST", "/.stepgate/api/registration/verify", b, "Content-Type", "application/json",
              "Origin", base, "Cookie", cookie).statusCode()).toList());
      var codesSeen = new java.util.ArrayList<Integer>();
      for (var a : answers) codesSeen.add(a.get());
      assertEquals(1, codesSeen.stream().filter(c -> c == 200).count(), codesSeen.toString());
    } finally {
      pool.shutdownNow();
    }
  }

  JsonObject stepUpBody(PasskeyUser who) throws Exception {
    var start = who.api("step-up/options", new JsonObject());
    var assertion = who.authenticator.get(start.getJsonObject("publicKey").encode());
    return new JsonObject().put("ceremonyId", start.getString("ceremonyId")).put("credential", new JsonObject(assertion))
        .put("rd", "/payouts");
  }

  @Test
  void newCodes_needAStepUp_andReplaceThePreviousSet() throws Exception {
    var r = call(alice, "recovery/codes", new JsonObject());
    assertEquals(401, r.statusCode());
    assertEquals("stepgate:renew-recovery-codes", new JsonObject(r.body()).getString("rule"));
    alice.stepUp(new JsonObject().put("rule", "stepgate:renew-recovery-codes"));
    JsonArray fresh = alice.api("recovery/codes", new JsonObject()).getJsonArray("recoveryCodes");
    assertEquals(10, fresh.size());
    assertEquals(401, recover(new PasskeyUser(base), "alice", codes.get(4)).statusCode());
    assertEquals(200, recover(new PasskeyUser(base), "alice", fresh.getString(0)).statusCode());
  }

  @Test
  void recoveryLink_fromTheCli_worksOnce_andExpires() throws Exception {
    var config = dir.resolve("cli.yaml");
    Files.writeString(config, "upstream: " + upstream.url() + "\npublic_url: " + base + "\nstorage: { path: "
        + dir.resolve("data") + " }\n");
    var printed = CliTestAccess.run("recovery-link", "alice", "--config", config.toString());
    assertEquals(0, printed.code(), printed.err());
    var link = printed.out().strip();
    assertTrue(link.startsWith(base + "/.stepgate/recover?token="), link);
    var token = link.substring(link.indexOf("token=") + 6);

    var page = new PasskeyUser(base).send("GET", "/.stepgate/recover?token=" + token, null, "Accept", "text/html");
    assertEquals(200, page.statusCode());
    var lost = new PasskeyUser(base);
    var ok = call(lost, "recovery/verify", new JsonObject().put("token", token));
    assertEquals(200, ok.statusCode(), ok.body());
    enrollInRecovery(lost);
    var again = call(new PasskeyUser(base), "recovery/verify", new JsonObject().put("token", token));
    assertEquals(401, again.statusCode());
    assertEquals("urn:stepgate:problem:recovery-failed", new JsonObject(again.body()).getString("type"));

    var second = CliTestAccess.run("recovery-link", "alice", "--ttl", "1h", "--config", config.toString()).out().strip();
    clock.advance(Duration.ofHours(2));
    var expired = call(new PasskeyUser(base), "recovery/verify",
        new JsonObject().put("token", second.substring(second.indexOf("token=") + 6)));
    assertEquals(401, expired.statusCode());
    assertEquals(1, audit.named("recovery_link_used").size());
  }

  @Test
  void recoveryVerify_isRateLimitedPerAccount_acrossAddresses() throws Exception {
    gateway.close();
    Files.createDirectories(dir.resolve("limited"));
    var started = Gateways.withPolicy(upstream.url(), dir.resolve("limited"), POLICY, "trusted_proxies: [127.0.0.1/32]\n"
        + "limits: { per_account: { invites: { rate: 2/1m, burst: 2 } } }\n", clock, audit);
    gateway = started.gateway();
    var guesser = new PasskeyUser(started.base());
    var guess = new JsonObject().put("username", "alice").put("code", "AAAA-BBBB-CCCC-DDDD").encode();
    for (var ip : List.of("203.0.113.1", "203.0.113.2")) {
      var r = guesser.send("POST", "/.stepgate/api/recovery/verify", guess, "Content-Type", "application/json",
          "Origin", started.base(), "X-Forwarded-For", ip);
      assertEquals(401, r.statusCode(), r.body());
    }
    var limited = guesser.send("POST", "/.stepgate/api/recovery/verify", guess, "Content-Type", "application/json",
        "Origin", started.base(), "X-Forwarded-For", "203.0.113.3");
    assertEquals(429, limited.statusCode(), limited.body());
    assertTrue(limited.headers().firstValue("Retry-After").isPresent());
  }

  @Test
  void recovery_leavesOtherSessions_byDefault_andEndsThemWhenConfigured() throws Exception {
    var lost = new PasskeyUser(base);
    assertEquals(200, recover(lost, "alice", codes.get(5)).statusCode());
    assertEquals(200, alice.send("GET", "/account", null, "Accept", "application/json").statusCode(),
        "by default the other sessions stay");
    assertEquals(List.of(), audit.named("sessions_ended"));

    gateway.close();
    var other = java.nio.file.Files.createDirectories(dir.resolve("ends"));
    var started = Gateways.withPolicy(upstream.url(), other, POLICY,
        "trusted_proxies: [127.0.0.1/32]\naccount:\n  recovery_ends_sessions: true\n", clock, audit);
    gateway = started.gateway();
    var bob = new PasskeyUser(started.base());
    var start = bob.api("registration/options", new JsonObject().put("username", "bob"));
    var done = bob.api("registration/verify", new JsonObject().put("ceremonyId", start.getString("ceremonyId"))
        .put("credential", new JsonObject(bob.authenticator.create(start.getJsonObject("publicKey").encode()))));
    var bobCodes = done.getJsonArray("recoveryCodes").stream().map(String.class::cast).toList();
    assertEquals(200, bob.send("GET", "/account", null, "Accept", "application/json").statusCode());
    var thief = new PasskeyUser(started.base());
    assertEquals(200, recover(thief, "bob", bobCodes.get(0)).statusCode());
    assertEquals(401, bob.send("GET", "/account", null, "Accept", "application/json").statusCode(),
        "account.recovery_ends_sessions: the other sessions end");
    assertEquals(1, audit.named("sessions_ended").size());
    enrollInRecovery(thief); // the recovery session itself survives and enrolls
    assertEquals(200, thief.send("GET", "/account", null, "Accept", "application/json").statusCode());
  }


  @Test
  void revokingAPasskeyThatIsNotTheCallers_isRefused_andAuditedAsRefused() throws Exception {
    var first = call(alice, "credentials/revoke", new JsonObject().put("credentialId", "AAAA"));
    assertEquals(401, first.statusCode(), "the step-up is asked for first");
    assertEquals(List.of(), audit.named("account_change_refused"), "asking for the step-up is no refusal");
    alice.stepUp(new JsonObject().put("rule", "stepgate:revoke-passkey"));
    var refused = call(alice, "credentials/revoke", new JsonObject().put("credentialId", "AAAA"));
    assertEquals(404, refused.statusCode(), refused.body());
    var entries = audit.named("account_change_refused");
    assertEquals(1, entries.size());
    assertEquals("revoke", entries.get(0).fields().get("action"));
    assertEquals("passkey-not-found", entries.get(0).fields().get("reason"));
    assertEquals(List.of(), audit.named("passkey_revoked"));
  }

}
