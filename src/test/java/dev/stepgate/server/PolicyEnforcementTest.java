package dev.stepgate.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stepgate.testing.Gateways;
import dev.stepgate.testing.RawHttp;
import dev.stepgate.testing.TestUpstream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Policies enforced by the running gateway: path confusion and hot reload. */
class PolicyEnforcementTest {
  static final String POLICY = """
      version: 1
      defaults: { require: public }
      rules:
        - name: admin
          match: { paths: ["/admin/**"] }
          require: deny
        - name: email
          match: { methods: [POST, PUT], paths: ["/account/email"] }
          require: step_up
          max_age: 5m
      """;

  @TempDir Path dir;
  TestUpstream upstream;
  Gateway gateway;

  @BeforeEach
  void start() throws Exception {
    upstream = new TestUpstream();
    Files.createDirectories(dir.resolve("policies"));
    Files.writeString(dir.resolve("policies/10-main.yaml"), POLICY);
    gateway = Gateways.start(upstream.url(), dir.resolve("data"), "policies: " + dir.resolve("policies") + "\n");
  }

  @AfterEach
  void stop() throws Exception {
    gateway.close();
    upstream.close();
  }

  int status(String method, String target, String... headers) throws Exception {
    var extra = new StringBuilder();
    for (var h : headers) extra.append(h).append("\r\n");
    var raw = method + " " + target + " HTTP/1.1\r\nHost: localhost:" + gateway.port() + "\r\nAccept: application/json\r\n"
        + extra + (method.equals("POST") || method.equals("PUT") ? "Content-Length: 0\r\n" : "") + "Connection: close\r\n\r\n";
    return RawHttp.status(RawHttp.send(gateway.port(), raw));
  }

  @ParameterizedTest
  @ValueSource(strings = {"/admin", "/admin/", "/admin/users", "//admin/users", "/x/../admin/users", "/./admin/users",
      "/%61dmin/users", "/%2e/admin", "/x/%2e%2e/admin", "/admin%2fusers", "/admin;x=1/users", "/admin\\users",
      "/ADMIN/../admin/users", "/admin/users?next=/"})
  void deniedPath_everyVariant_isDeniedOrRejected(String target) throws Exception {
    int s = status("GET", target);
    assertTrue(s == 403 || s == 400, target + " -> " + s);
    assertTrue(upstream.received().isEmpty(), () -> target + " reached the upstream");
  }

  @Test
  void deniedPath_headAndMethodOverride_getTheSameDecision() throws Exception {
    assertEquals(403, status("HEAD", "/admin/users"));
    assertEquals(401, status("POST", "/account/email/"));
    assertEquals(401, status("POST", "//account//email"));
    // Overrides are stripped, never obeyed: a GET that claims to be a PUT is a GET.
    assertEquals(200, status("GET", "/account/email", "X-HTTP-Method-Override: PUT"));
    assertEquals(null, upstream.last().headers().get("X-HTTP-Method-Override"));
    assertEquals(401, status("PUT", "/account/email", "X-HTTP-Method-Override: GET"));
  }

  @Test
  void reload_validChangeApplies_brokenChangeKeepsTheOldRules() throws Exception {
    assertEquals(200, status("GET", "/reports"));
    Files.writeString(dir.resolve("policies/20-broken.yaml"), "version: 1\nrules:\n  - name: x\n    require: nope\n");
    Thread.sleep(1500);
    assertEquals(403, status("GET", "/admin/users"), "old rules still enforced");
    assertEquals(200, status("GET", "/reports"));
    var ready = RawHttp.send(gateway.port(), "GET /.stepgate/readyz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    assertTrue(ready.contains("\"status\" : \"stale\""), ready);
    Files.delete(dir.resolve("policies/20-broken.yaml"));
    Files.writeString(dir.resolve("policies/10-main.yaml"), POLICY.replace("/admin/**", "/reports/**"));
    long deadline = System.currentTimeMillis() + 2500;
    while (status("GET", "/reports") != 403 && System.currentTimeMillis() < deadline) Thread.sleep(100);
    assertEquals(403, status("GET", "/reports"));
  }
}
