package dev.stepgate.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stepgate.passkey.EmulatedBrowser;
import io.vertx.core.json.JsonObject;
import java.net.CookieManager;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The demo as a newcomer meets it: policies applied, and the app verifies the assertion. */
class DemoTest {
  @TempDir Path data;

  @Test
  void demo_signedInPage_showsAVerifiedAssertion() throws Exception {
    int port;
    try (var s = new java.net.ServerSocket(0)) {
      port = s.getLocalPort();
    }
    try (var demo = Demo.start(port, data, Path.of("policies/demo.yaml"))) {
      var base = "http://localhost:" + port;
      var http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).cookieHandler(new CookieManager()).build();
      assertEquals(200, get(http, base + "/").statusCode());
      assertEquals(403, get(http, base + "/admin").statusCode());
      var browser = new EmulatedBrowser(base);
      var start = post(http, base, "registration/options", new JsonObject().put("username", "newcomer"));
      post(http, base, "registration/verify", new JsonObject().put("ceremonyId", start.getString("ceremonyId"))
          .put("credential", new JsonObject(browser.create(start.getJsonObject("publicKey").encode()))));
      var page = get(http, base + "/account");
      assertEquals(200, page.statusCode());
      assertTrue(page.body().contains("<dd id=\"user\">newcomer</dd>"), page.body());
      assertTrue(page.body().contains("<b id=\"assertion\">verified: sub="), page.body());
    }
  }

  static HttpResponse<String> get(HttpClient http, String url) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(url)).header("Accept", "text/html").build(), HttpResponse.BodyHandlers.ofString());
  }

  static JsonObject post(HttpClient http, String base, String path, JsonObject body) throws Exception {
    var r = http.send(HttpRequest.newBuilder(URI.create(base + "/.stepgate/api/" + path)).header("Content-Type", "application/json")
        .header("Origin", base).POST(HttpRequest.BodyPublishers.ofString(body.encode())).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), r.body());
    return new JsonObject(r.body());
  }
}
