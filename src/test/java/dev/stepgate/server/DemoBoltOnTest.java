package dev.stepgate.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stepgate.testing.PasskeyUser;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code stepgate demo --bolt-on} as a newcomer meets it: the app's own password login through the
 * gateway, the gateway learning who signed in from the app's {@code /api/me}, and a step-up on
 * payouts.
 */
class DemoBoltOnTest {
  @TempDir Path data;

  private static final String HTML = "text/html";

  @Test
  void boltOnDemo_appLoginThroughTheGateway_namesTheUser_andAPayoutLandsOnceAfterAFirstPasskey() throws Exception {
    var policies = Path.of("policies/bolt-on/demo-bolt-on.yaml");
    int port = PasskeyUser.freePort();
    try (var demo = Demo.startBoltOn(port, data, policies)) {
      var base = "http://localhost:" + port;
      var user = new PasskeyUser(base);
      assertEquals(200, user.send("GET", "/", null, "Accept", HTML).statusCode());
      assertEquals(403, user.send("GET", "/admin/x", null, "Accept", HTML).statusCode());

      // Anonymous: forwarded untouched, and the app's own login takes over.
      var anon = user.send("GET", "/account", null, "Accept", HTML);
      assertEquals(303, anon.statusCode());
      assertEquals("/login?rd=%2Faccount", anon.headers().firstValue("Location").orElseThrow());

      var login = user.send("POST", "/login", "email=alice%40example.com&password=alice-demo-password&rd=%2Faccount",
          "Content-Type", "application/x-www-form-urlencoded", "Origin", base, "Accept", HTML);
      assertEquals(303, login.statusCode(), login.body());
      assertEquals("/account", login.headers().firstValue("Location").orElseThrow());

      var account = user.send("GET", "/account", null, "Accept", HTML);
      assertEquals(200, account.statusCode(), account.body());
      assertTrue(account.body().contains("Signed in as <b id=\"signed-in-as\">alice@example.com</b>"), account.body());
      // The gateway asked /api/me and tells the app who it found.
      assertTrue(account.body().contains("<th>x-stepgate-user</th><td><code>alice@example.com</code>"), account.body());

      var payouts = user.send("GET", "/payouts", null, "Accept", HTML);
      assertEquals(303, payouts.statusCode());
      assertTrue(payouts.headers().firstValue("Location").orElseThrow().startsWith("/.stepgate/step-up"),
          payouts.headers().toString());

      // Without a step-up the payout never lands.
      user.send("POST", "/payouts/destination", "iban=XX00", "Content-Type", "application/x-www-form-urlencoded",
          "Origin", base, "Accept", "application/json");
      var balance = user.send("GET", "/api/balance", null, "Accept", "application/json");
      assertEquals(200, balance.statusCode(), balance.body());
      assertEquals(0, new JsonObject(balance.body()).getInteger("payoutChanges"));

      // The held payout: a first passkey at the prompt (first_enrollment: on_step_up), one step-up, sent once.
      var held = user.send("POST", "/payouts/destination", "iban=NL91+ABNA+0417+1643+00",
          "Content-Type", "application/x-www-form-urlencoded", "Origin", base, "Accept", HTML);
      assertEquals(303, held.statusCode(), held.body());
      var heldId = held.headers().firstValue("Location").orElseThrow().replaceAll(".*[?&]held=([^&]+).*", "$1");
      var start = user.api("registration/options", new JsonObject().put("username", "ignored"));
      var credential = user.authenticator.create(start.getJsonObject("publicKey").encode());
      user.api("registration/verify", new JsonObject().put("ceremonyId", start.getString("ceremonyId"))
          .put("credential", new JsonObject(credential)));
      var resume = user.stepUp(new JsonObject().put("held", heldId).put("rd", "/payouts/destination")).getString("resume");
      var done = user.send("GET", resume, null, "Accept", HTML);
      assertEquals(200, done.statusCode(), done.body());
      assertTrue(done.body().contains("Payouts now go to <b>NL91 ABNA 0417 1643 00</b>"), done.body());
      // The app checks the gateway's signed assertion against its JWKS, as in gateway mode.
      assertTrue(done.body().contains("<b id=\"assertion\">verified: sub="), done.body());
      assertEquals(410, user.send("GET", resume, null, "Accept", HTML).statusCode(), "sent once");
      var after = user.send("GET", "/api/balance", null, "Accept", "application/json");
      assertEquals(1, new JsonObject(after.body()).getInteger("payoutChanges"));

      var out = user.send("POST", "/logout", "", "Content-Type", "application/x-www-form-urlencoded", "Origin", base);
      assertEquals(303, out.statusCode());
      assertEquals(303, user.send("GET", "/account", null, "Accept", HTML).statusCode(), "signed out of the app");
    }
  }
}
