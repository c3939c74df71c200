package dev.stepgate.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stepgate.config.ConfigException;
import dev.stepgate.config.ConfigLoader;
import dev.stepgate.testing.PasskeyUser;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code stepgate demo --bolt-on} as a newcomer meets it: the app's own password login through the
 * gateway, the gateway learning who signed in from the app's {@code /api/me}, and a step-up on
 * payouts. Skipped while this build refuses {@code identity.source: upstream}.
 */
class DemoBoltOnTest {
  @TempDir Path data;

  private static final String HTML = "text/html";

  @Test
  void boltOnDemo_appLoginThroughTheGateway_namesTheUserAndPayoutsAskForAPasskey() throws Exception {
    var policies = Path.of("policies/demo-bolt-on.yaml");
    try {
      ConfigLoader.demoBoltOn(URI.create("http://127.0.0.1:1"), policies, data, 1);
    } catch (ConfigException notYet) {
      Assumptions.abort("bolt-on mode is not in this build yet: " + notYet.problems());
    }
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

      var out = user.send("POST", "/logout", "", "Content-Type", "application/x-www-form-urlencoded", "Origin", base);
      assertEquals(303, out.statusCode());
      assertEquals(303, user.send("GET", "/account", null, "Accept", HTML).statusCode(), "signed out of the app");
    }
  }
}
