package dev.stepgate.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.stepgate.server.Gateway;
import dev.stepgate.testing.Gateways;
import dev.stepgate.testing.PasskeyUser;
import dev.stepgate.testing.TestUpstream;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A passkey revoked while a gateway runs ends its sessions there within a second, whoever revoked
 * it and however its id was spelled: the admin CLI (its own store connection, as another process
 * has) and the account API, with the id padded, in standard base64, or plain.
 */
class CredentialsRevokeGatewayTest {
  static final long PROMISE_MS = 1000;

  @TempDir Path dir;
  TestUpstream upstream;
  Gateway gateway;
  String base;
  Path config;

  @BeforeEach
  void start() throws Exception {
    upstream = new TestUpstream();
    var started = Gateways.withPolicy(upstream.url(), dir, Gateways.ADMIN_DENIED_PRIVATE_SIGNED_IN, extraYaml());
    gateway = started.gateway();
    base = started.base();
    // The CLI's view of the same deployment: same data directory, nothing else shared.
    config = dir.resolve("cli.yaml");
    Files.writeString(config, "upstream: " + upstream.url() + "\npublic_url: " + base + "\nstorage: { path: "
        + dir.resolve("data") + " }\n");
  }

  /** Config added to the gateway's; the twin without the relay overrides it. */
  String extraYaml() {
    return "";
  }

  @AfterEach
  void stop() throws Exception {
    gateway.close();
    upstream.close();
  }

  @Test
  void cliRevoke_paddedBase64url_endsTheSessionWithinASecond() throws Exception {
    var alice = signedIn("alice");
    var id = onlyCredential("alice");
    var padded = Base64.getUrlEncoder().encodeToString(Base64.getUrlDecoder().decode(id));
    assertNotEquals(id, padded, "a 32-byte id has padding");
    cliRevoke("alice", padded);
    assertSignedOutWithin(alice);
  }

  @Test
  void cliRevoke_standardBase64_endsTheSessionWithinASecond() throws Exception {
    // Standard base64 differs from base64url only where the id has a - or _: enroll until one does.
    for (int i = 0; i < 20; i++) {
      var name = "bob" + i;
      var bob = signedIn(name);
      var id = onlyCredential(name);
      if (!id.contains("-") && !id.contains("_")) continue;
      var standard = Base64.getEncoder().encodeToString(Base64.getUrlDecoder().decode(id));
      cliRevoke(name, standard);
      assertSignedOutWithin(bob);
      return;
    }
    fail("no credential id with - or _ in 20 enrollments");
  }

  @Test
  void cliRevoke_plainBase64url_endsTheSessionWithinASecond() throws Exception {
    var carol = signedIn("carol");
    cliRevoke("carol", onlyCredential("carol"));
    assertSignedOutWithin(carol);
  }

  @Test
  void cliRevoke_otherUsersSessions_keepWorking() throws Exception {
    var dave = signedIn("dave");
    var erin = signedIn("erin");
    cliRevoke("dave", onlyCredential("dave"));
    assertSignedOutWithin(dave);
    assertEquals(200, privateGet(erin).statusCode());
  }

  @Test
  void apiRevoke_paddedId_endsThatPasskeysSessionsWithinASecond() throws Exception {
    var frank = signedIn("frank");
    // A second passkey on another device, and a session of its own there.
    var phone = new PasskeyUser(base);
    // Each account action with a step-up made for it (issue 10 item 1), named as the account page names it.
    frank.stepUp(new JsonObject().put("rule", "stepgate:add-passkey"));
    var options = frank.api("registration/options", new JsonObject().put("username", "frank"));
    var created = phone.authenticator.create(options.getJsonObject("publicKey").encode());
    frank.api("registration/verify", new JsonObject().put("ceremonyId", options.getString("ceremonyId"))
        .put("credential", new JsonObject(created)));
    signIn(phone, "frank");
    assertEquals(200, privateGet(phone).statusCode());
    var phoneId = new JsonObject(created).getString("rawId");
    var padded = Base64.getUrlEncoder().encodeToString(Base64.getUrlDecoder().decode(phoneId));
    assertNotEquals(phoneId, padded);

    frank.stepUp(new JsonObject().put("rule", "stepgate:revoke-passkey"));
    frank.api("credentials/revoke", new JsonObject().put("credentialId", padded));
    assertSignedOutWithin(phone);
    assertEquals(200, privateGet(frank).statusCode(), "the other passkey's session stays");
  }

  @Test
  void cliRevoke_malformedId_exitsTwoWithAPlainReason() {
    var r = cli("credentials", "revoke", "alice", "AQ-+", "--config", config.toString());
    assertEquals(2, r.code(), r.err());
    assertEquals("stepgate: CREDENTIAL_ID: The credential id must be base64url or base64 (letters, digits, - and _ "
        + "or + and /, optional = padding).", r.err().strip());
  }

  // ---- helpers

  PasskeyUser signedIn(String username) throws Exception {
    var user = new PasskeyUser(base);
    user.enroll(username);
    assertEquals(200, privateGet(user).statusCode());
    return user;
  }

  static void signIn(PasskeyUser user, String username) throws Exception {
    var options = user.api("login/options", new JsonObject().put("username", username));
    var assertion = user.authenticator.get(options.getJsonObject("publicKey").encode());
    user.api("login/verify", new JsonObject().put("ceremonyId", options.getString("ceremonyId"))
        .put("credential", new JsonObject(assertion)));
  }

  static HttpResponse<String> privateGet(PasskeyUser user) throws Exception {
    return user.send("GET", "/private/statement", null, "Accept", "application/json");
  }

  /** Polls until the session gets the sign-in answer; fails if that takes longer than promised. */
  static void assertSignedOutWithin(PasskeyUser user) throws Exception {
    long deadline = System.nanoTime() + PROMISE_MS * 1_000_000L;
    HttpResponse<String> r;
    do {
      r = privateGet(user);
      if (r.statusCode() == 401) {
        assertEquals("Bearer error=\"invalid_token\", error_description=\"login required\"",
            r.headers().firstValue("WWW-Authenticate").orElseThrow());
        return;
      }
      Thread.sleep(20);
    } while (System.nanoTime() < deadline);
    fail("the session still worked " + PROMISE_MS + " ms after the revocation: " + r.statusCode());
  }

  String onlyCredential(String username) {
    var r = cli("credentials", "list", username, "--config", config.toString());
    assertEquals(0, r.code(), r.err());
    var lines = r.out().strip().lines().toList();
    assertEquals(1, lines.size(), r.out());
    return lines.get(0).split("\t")[0];
  }

  void cliRevoke(String username, String id) {
    // A base64url id may start with '-': after '--' it cannot be taken for an option.
    var r = cli("credentials", "revoke", "--config", config.toString(), username, "--", id);
    assertEquals(0, r.code(), r.err());
  }

  /** The command line as a user runs it: {@link CliTest#run}. */
  static CliTest.Result cli(String... args) {
    return CliTest.run(args);
  }
}
