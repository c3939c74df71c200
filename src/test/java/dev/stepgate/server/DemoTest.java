package dev.stepgate.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stepgate.testing.PasskeyUser;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The demo as a newcomer meets it: policies applied, and the app verifies the assertion. */
class DemoTest {
  @TempDir Path data;

  @Test
  void demo_signedInPage_showsAVerifiedAssertion() throws Exception {
    int port = PasskeyUser.freePort();
    try (var demo = Demo.start(port, data, Path.of("policies/demo.yaml"))) {
      var base = "http://localhost:" + port;
      var user = new PasskeyUser(base);
      assertEquals(200, user.send("GET", "/", null, "Accept", "text/html").statusCode());
      assertEquals(403, user.send("GET", "/admin", null, "Accept", "text/html").statusCode());
      user.enroll("newcomer");
      var page = user.send("GET", "/account", null, "Accept", "text/html");
      assertEquals(200, page.statusCode());
      assertTrue(page.body().contains("<dd id=\"user\">newcomer</dd>"), page.body());
      assertTrue(page.body().contains("<b id=\"assertion\">verified: sub="), page.body());
    }
  }
}
