package dev.stepgate.admission;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stepgate.testing.Gateways;
import dev.stepgate.testing.PasskeyUser;
import dev.stepgate.testing.TestUpstream;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code allow} over HTTP (SPEC section 3, 5): an outsider gets the ordinary 403 that names no
 * list, user or group, and on a {@code step_up} rule is refused rather than prompted; an insider
 * gets the rule's own evaluation.
 */
class AllowRefusalTest {
  static final String POLICY = """
      version: 1
      defaults: { require: authenticated }
      rules:
        - name: admin
          match: { paths: ["/admin/**"] }
          require: step_up
          max_age: 5m
          allow: { users: [insider], groups: [secret-admins] }
        - name: reports
          match: { paths: ["/reports"] }
          require: authenticated
          allow: { users: [insider] }
      """;
  /** Words of the policy's allow lists that no answer to a caller may contain. */
  static final List<String> INTERNALS = List.of("allow.", "allow:", "insider", "secret-admins", "groups");

  @TempDir Path dir;
  TestUpstream upstream;
  Gateways.Started gw;

  @BeforeEach
  void start() throws Exception {
    upstream = new TestUpstream();
    gw = Gateways.withPolicy(upstream.url(), dir, POLICY, "");
  }

  @AfterEach
  void stop() throws Exception {
    gw.gateway().close();
    upstream.close();
  }

  @Test
  void outsider_isRefusedWithAPlain403_evenOnAStepUpRule() throws Exception {
    var outsider = new PasskeyUser(gw.base());
    outsider.enroll("outsider");
    for (var path : List.of("/admin/users", "/reports")) {
      var json = outsider.send("GET", path, null, "Accept", "application/json");
      assertEquals(403, json.statusCode(), path + ": " + json.body());
      var problem = new JsonObject(json.body());
      assertEquals("urn:stepgate:problem:forbidden", problem.getString("type"));
      assertNoInternals(json);
      var page = outsider.send("GET", path, null, "Accept", "text/html");
      assertEquals(403, page.statusCode(), path);
      assertNoInternals(page);
    }
    assertTrue(upstream.received().isEmpty(), "nothing went upstream");
  }

  @Test
  void insider_getsTheRulesOwnEvaluation() throws Exception {
    var insider = new PasskeyUser(gw.base());
    insider.enroll("insider");
    var admin = insider.send("GET", "/admin/users", null, "Accept", "application/json");
    assertEquals(401, admin.statusCode(), admin.body());
    assertEquals("urn:stepgate:problem:step-up-required", new JsonObject(admin.body()).getString("type"));
    var reports = insider.send("GET", "/reports", null, "Accept", "application/json");
    assertEquals(200, reports.statusCode(), reports.body());
    assertEquals(1, upstream.received().size());
  }

  @Test
  void anonymous_signsInFirst() throws Exception {
    var anon = new PasskeyUser(gw.base());
    var r = anon.send("GET", "/admin/users", null, "Accept", "application/json");
    assertEquals(401, r.statusCode(), r.body());
    assertEquals("urn:stepgate:problem:login-required", new JsonObject(r.body()).getString("type"));
  }

  private static void assertNoInternals(HttpResponse<String> r) {
    for (var word : INTERNALS) {
      assertFalse(r.body().toLowerCase().contains(word), () -> "the answer names '" + word + "': " + r.body());
      r.headers().map().forEach((k, v) -> assertFalse(v.toString().toLowerCase().contains(word), k + ": " + v));
    }
  }
}
