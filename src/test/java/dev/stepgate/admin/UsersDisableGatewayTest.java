package dev.stepgate.admin;

import static dev.stepgate.admin.CredentialsRevokeGatewayTest.assertSignedOutWithin;
import static dev.stepgate.admin.CredentialsRevokeGatewayTest.cli;
import static dev.stepgate.admin.CredentialsRevokeGatewayTest.privateGet;
import static dev.stepgate.admin.CredentialsRevokeGatewayTest.signIn;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.stepgate.server.Gateway;
import dev.stepgate.testing.Gateways;
import dev.stepgate.testing.PasskeyUser;
import dev.stepgate.testing.TestUpstream;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code users disable} run from the command line (its own store connection, as another process
 * has) while a gateway runs on the same store: every session of the user ends there within a
 * second, whichever passkey made it; the user cannot sign in again, by name or with a
 * discoverable passkey, until {@code users enable}.
 */
class UsersDisableGatewayTest {
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
  void disable_endsEverySessionWithinASecond_refusesSignIn_untilEnabled() throws Exception {
    var alice = signedIn("alice");
    // A second passkey on another device, with a session of its own: disabling ends both.
    var phone = new PasskeyUser(base);
    alice.stepUp(new JsonObject().put("rule", "stepgate:add-passkey"));
    var options = alice.api("registration/options", new JsonObject().put("username", "alice"));
    var created = phone.authenticator.create(options.getJsonObject("publicKey").encode());
    alice.api("registration/verify", new JsonObject().put("ceremonyId", options.getString("ceremonyId"))
        .put("credential", new JsonObject(created)));
    signIn(phone, "alice");
    assertEquals(200, privateGet(phone).statusCode());
    var bob = signedIn("bob");

    users("disable", "alice");
    assertSignedOutWithin(alice);
    assertSignedOutWithin(phone);
    assertEquals(200, privateGet(bob).statusCode(), "other users' sessions stay");

    assertAccountDisabled(tryLogin(alice, Optional.of("alice")));
    assertAccountDisabled(tryLogin(phone, Optional.empty()));
    assertEquals(401, privateGet(alice).statusCode(), "a refused sign-in sets no session");

    users("enable", "alice");
    assertEquals(200, tryLogin(alice, Optional.of("alice")).statusCode());
    assertEquals(200, privateGet(alice).statusCode());
    assertEquals(200, tryLogin(phone, Optional.empty()).statusCode());
    assertEquals(200, privateGet(phone).statusCode());
  }

  @Test
  void disabledUser_loginOptionsLookTheSame() throws Exception {
    var alice = signedIn("alice");
    var before = alice.api("login/options", new JsonObject().put("username", "alice"));
    users("disable", "alice");
    var after = alice.api("login/options", new JsonObject().put("username", "alice"));
    assertEquals(before.getJsonObject("publicKey").getJsonArray("allowCredentials"),
        after.getJsonObject("publicKey").getJsonArray("allowCredentials"));
  }

  @Test
  void usersList_showsTheDisabledUser() throws Exception {
    signedIn("alice");
    signedIn("bob");
    users("disable", "bob");
    var r = cli("users", "list", "--config", config.toString());
    assertEquals(0, r.code(), r.err());
    var lines = r.out().strip().lines().toList();
    assertEquals("enabled", lines.get(0).split("\t")[4]);
    assertEquals("disabled", lines.get(1).split("\t")[4]);
  }

  // ---- helpers

  PasskeyUser signedIn(String username) throws Exception {
    var user = new PasskeyUser(base);
    user.enroll(username);
    assertEquals(200, privateGet(user).statusCode());
    return user;
  }

  void users(String action, String username) {
    var r = cli("users", action, "--config", config.toString(), username);
    assertEquals(0, r.code(), r.err());
    assertEquals(action + "d " + username, r.out().strip());
  }

  /** A whole sign-in; the answer of login/verify, whatever it is. */
  static HttpResponse<String> tryLogin(PasskeyUser user, Optional<String> username) throws Exception {
    var body = new JsonObject();
    username.ifPresent(u -> body.put("username", u));
    var options = user.api("login/options", body);
    var assertion = user.authenticator.get(options.getJsonObject("publicKey").encode());
    return user.send("POST", "/.stepgate/api/login/verify", new JsonObject().put("ceremonyId", options.getString("ceremonyId"))
        .put("credential", new JsonObject(assertion)).encode(), "Content-Type", "application/json", "Origin", user.base);
  }

  static void assertAccountDisabled(HttpResponse<String> r) {
    assertEquals(403, r.statusCode(), r.body());
    assertEquals("urn:stepgate:problem:account-disabled", new JsonObject(r.body()).getString("type"));
  }
}
