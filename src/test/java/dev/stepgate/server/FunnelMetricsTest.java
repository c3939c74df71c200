package dev.stepgate.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stepgate.testing.Gateways;
import dev.stepgate.testing.PasskeyUser;
import dev.stepgate.testing.TestUpstream;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The rollout funnel on {@code /metrics} after a real sign-up, sign-in and step-up (SPEC section
 * 9): the counters move with the kind, outcome, platform (from the User-Agent) and rule; the
 * pages' beacon counts what the browser abandoned; the shipped Grafana dashboard asks only for
 * series the gateway exposes; and {@code /metrics} is only on the admin listener.
 */
class FunnelMetricsTest {
  static final String POLICY = """
      version: 1
      defaults: { require: authenticated }
      rules:
        - name: home
          match: { paths: ["/"] }
          require: public
        - name: payouts
          match: { paths: ["/payouts/**"] }
          require: step_up
          max_age: 5m
      """;
  static final String IPHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15"
      + " (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1";
  static final String ANDROID = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko)"
      + " Chrome/121.0 Mobile Safari/537.36";
  static final String WINDOWS = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko)"
      + " Chrome/121.0 Safari/537.36";

  @TempDir Path dir;

  @Test
  void signUpSignInStepUp_moveTheFunnelWithTheirLabels_andTheDashboardAsksForExposedSeriesOnly() throws Exception {
    try (var upstream = new TestUpstream()) {
      var started = Gateways.withPolicy(upstream.url(), dir, POLICY, "");
      try (var gateway = started.gateway()) {
        var phone = new PasskeyUser(started.base()).withUserAgent(IPHONE);
        phone.enroll("alice");
        // Sign in again: the new session replaces the enrollment's.
        phone.api("logout", new JsonObject());
        var options = phone.api("login/options", new JsonObject().put("username", "alice"));
        var assertion = phone.authenticator.get(options.getJsonObject("publicKey").encode());
        phone.api("login/verify", new JsonObject().put("ceremonyId", options.getString("ceremonyId"))
            .put("credential", new JsonObject(assertion)));
        // A step-up rule: prompted, then passed, then allowed (the relay forwards it).
        assertEquals(401, phone.send("GET", "/payouts/x", null, "Accept", "application/json").statusCode());
        phone.stepUp(new JsonObject().put("rule", "payouts"));
        assertEquals(200, phone.send("GET", "/payouts/x", null, "Accept", "application/json").statusCode());
        // The step-up prompt on another device, dismissed: the page reports it.
        var tablet = phone.withUserAgent(ANDROID);
        assertEquals(204, beacon(tablet, "{\"kind\":\"step_up\",\"error\":\"NotAllowedError\",\"elapsedMs\":3000,"
            + "\"rule\":\"payouts\"}").statusCode());
        var invalid = beacon(tablet, "{\"kind\":\"step_up\",\"error\":\"NotAllowedError\",\"user\":\"alice\"}");
        assertEquals(400, invalid.statusCode());
        assertEquals("urn:stepgate:problem:client-event-invalid", new JsonObject(invalid.body()).getString("type"));
        // A sign-in with an expired (unknown) ceremony, from Windows.
        var pc = new PasskeyUser(started.base()).withUserAgent(WINDOWS);
        var stale = pc.send("POST", "/.stepgate/api/login/verify", new JsonObject().put("ceremonyId", "gone")
            .put("credential", new JsonObject()).encode(), "Content-Type", "application/json", "Origin", started.base());
        assertEquals(400, stale.statusCode(), stale.body());

        var m = Gateways.metrics(gateway);
        assertEquals(1, Gateways.metric(m, series("stepgate_ceremonies_total", "kind", "registration", "outcome", "ok", "platform", "ios")));
        assertEquals(1, Gateways.metric(m, series("stepgate_ceremonies_total", "kind", "login", "outcome", "ok", "platform", "ios")));
        assertEquals(1, Gateways.metric(m, series("stepgate_ceremonies_total", "kind", "step_up", "outcome", "ok", "platform", "ios")));
        assertEquals(1, Gateways.metric(m, series("stepgate_ceremonies_total", "kind", "step_up", "outcome", "cancelled", "platform", "android")));
        assertEquals(1, Gateways.metric(m, series("stepgate_ceremonies_total", "kind", "login", "outcome", "expired", "platform", "windows")));
        assertEquals(1, Gateways.metric(m, series("stepgate_step_ups_total", "outcome", "prompted", "rule", "payouts")));
        assertEquals(1, Gateways.metric(m, series("stepgate_step_ups_total", "outcome", "passed", "rule", "payouts")));
        assertEquals(1, Gateways.metric(m, series("stepgate_step_ups_total", "outcome", "abandoned", "rule", "payouts")));
        assertEquals(1, Gateways.metric(m, series("stepgate_decisions_total", "decision", "step_up", "rule", "payouts")));
        assertEquals(1, Gateways.metric(m, series("stepgate_decisions_total", "decision", "allow", "rule", "payouts")));
        assertEquals(1, Gateways.metric(m, series("stepgate_client_events_total", "result", "counted")));
        assertEquals(1, Gateways.metric(m, series("stepgate_client_events_total", "result", "invalid")));
        assertTrue(Gateways.metric(m, "stepgate_upstream_duration_seconds_count") >= 1, m);
        assertTrue(Gateways.metric(m, "stepgate_gateway_duration_seconds_count") >= 1, m);
        assertEquals(1, Gateways.metric(m, "stepgate_sessions_active"));
        assertEquals(0, Gateways.metric(m, series("stepgate_store_errors_total", "dependency", "storage")));

        var missing = new TreeSet<>(dashboardMetricNames());
        missing.removeAll(exposedNames(m));
        assertEquals(Set.of(), missing, "the dashboard asks for series /metrics does not expose");

        // Not on the public listener: neither at /metrics (that path is the app's) nor under the gateway's own.
        var publicMetrics = phone.send("GET", "/metrics", null);
        assertFalse(publicMetrics.body().contains("stepgate_ceremonies_total"), publicMetrics.body());
        assertEquals(404, phone.send("GET", "/.stepgate/metrics", null, "Accept", "application/json").statusCode());
      }
    }
  }

  private static java.net.http.HttpResponse<String> beacon(PasskeyUser user, String body) throws Exception {
    return user.send("POST", "/.stepgate/api/client-events", body, "Content-Type", "application/json", "Origin", user.base);
  }

  /** A Prometheus series name with its labels, which the exposition writes in name order. */
  private static String series(String name, String... labels) {
    var out = new StringBuilder(name).append('{');
    for (int i = 0; i < labels.length; i += 2)
      out.append(i == 0 ? "" : ",").append(labels[i]).append("=\"").append(labels[i + 1]).append('"');
    return out.append('}').toString();
  }

  /** Every sample name on a {@code /metrics} page. */
  static Set<String> exposedNames(String metrics) {
    var names = new TreeSet<String>();
    for (var line : metrics.split("\n")) {
      if (line.isEmpty() || line.startsWith("#")) continue;
      int end = 0;
      while (end < line.length() && line.charAt(end) != '{' && line.charAt(end) != ' ') end++;
      names.add(line.substring(0, end));
    }
    return names;
  }

  private static final Pattern METRIC = Pattern.compile("stepgate_[a-z_]+");

  /**
   * The {@code stepgate_} names the shipped dashboard's PromQL uses (panel targets and template
   * queries), each as the sample name it reads ({@code _bucket}, {@code _count}, {@code _sum} and
   * {@code _total} are part of it, as on the page).
   */
  static Set<String> dashboardMetricNames() throws Exception {
    var dashboard = new JsonObject(Files.readString(Path.of("docker/grafana/stepgate-dashboard.json")));
    var expressions = new ArrayList<String>();
    collectExpressions(dashboard.getJsonArray("panels"), expressions);
    for (var v : dashboard.getJsonObject("templating").getJsonArray("list")) {
      var q = ((JsonObject) v).getValue("query");
      if (q instanceof JsonObject o) expressions.add(o.getString("query"));
    }
    assertTrue(expressions.size() >= 10, "the dashboard has its panels: " + expressions.size());
    var names = new TreeSet<String>();
    for (var e : expressions) {
      var matcher = METRIC.matcher(e);
      while (matcher.find()) names.add(matcher.group());
    }
    return names;
  }

  private static void collectExpressions(JsonArray panels, List<String> out) {
    if (panels == null) return;
    for (var p : panels) {
      var panel = (JsonObject) p;
      collectExpressions(panel.getJsonArray("panels"), out);
      var targets = panel.getJsonArray("targets");
      if (targets == null) continue;
      for (var t : targets) out.add(((JsonObject) t).getString("expr"));
    }
  }
}
