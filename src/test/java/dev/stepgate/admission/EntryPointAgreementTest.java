package dev.stepgate.admission;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stepgate.server.Gateway;
import dev.stepgate.testing.Gateways;
import dev.stepgate.testing.PasskeyUser;
import dev.stepgate.testing.TestUpstream;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One table of (request, session state) → (verdict, rule), sent through every entry point of the
 * pipeline over HTTP: the relay, Vert.x's path ({@code proxy.relay: false}), forward-auth ({@code
 * /.stepgate/auth} from a trusted peer) and, for a browser's form POST to a step-up route, the held
 * replay. Every entry point must give every row the same verdict, naming the same rule. A forward
 * counts only when the upstream received the request exactly once (forward-auth: a 200); a
 * challenge or a refusal only when it received nothing.
 */
class EntryPointAgreementTest {
  static final String POLICY = """
      version: 1
      defaults: { require: authenticated }
      rules:
        - name: home
          match: { paths: ["/"] }
          require: public
        - name: change-email
          match: { methods: [POST], paths: ["/account/email"] }
          require: step_up
          max_age: 5m
        - name: quick
          match: { methods: [POST], paths: ["/quick"] }
          require: step_up
          max_age: 1s
        - name: payout
          match: { methods: [POST], paths: ["/payouts/destination"] }
          require: step_up
          max_age: 0s
        - name: admin
          match: { paths: ["/admin/**"] }
          require: deny
      """;
  static final String TRUSTED = "trusted_proxies: [127.0.0.1/32]\n";

  enum Entry { RELAY, PROXY, FORWARD_AUTH, HELD_REPLAY }

  enum Caller {
    ANONYMOUS, SIGNED_IN,
    /** Stepped up (for {@link Row#stepUpFor}) just before the request. */
    STEPPED_UP,
    /** Stepped up (for {@link Row#stepUpFor}) more than the rule's 1 s {@code max_age} ago. */
    STALE
  }

  enum Kind { FORWARD, LOGIN, STEP_UP, DENY }

  /** What an entry point answered: the verdict, and the rule it named (null: it names none). */
  record Seen(Kind kind, String rule) {
    @Override
    public String toString() {
      return kind + "(" + rule + ")";
    }
  }

  record Row(String method, String path, Caller caller, String stepUpFor, Kind kind, String rule) {
    /** An anonymous public forward stamps no identity, so no rule is visible in it. */
    Seen expected() {
      return new Seen(kind, kind == Kind.FORWARD && caller == Caller.ANONYMOUS ? null : rule);
    }

    /** The held replay applies to a signed-in browser's form POST to a step-up route. */
    boolean holds() {
      return method.equals("POST") && caller != Caller.ANONYMOUS && !path.startsWith("/admin");
    }

    @Override
    public String toString() {
      return method + " " + path + " as " + caller + (stepUpFor == null ? "" : " (step-up for " + stepUpFor + ")");
    }
  }

  static final List<Row> ROWS = List.of(
      new Row("GET", "/", Caller.ANONYMOUS, null, Kind.FORWARD, "home"),
      new Row("GET", "/account", Caller.ANONYMOUS, null, Kind.LOGIN, "defaults"),
      new Row("POST", "/account/email", Caller.ANONYMOUS, null, Kind.LOGIN, "change-email"),
      new Row("GET", "/admin/users", Caller.ANONYMOUS, null, Kind.DENY, "admin"),
      new Row("GET", "/", Caller.SIGNED_IN, null, Kind.FORWARD, "home"),
      new Row("GET", "/account", Caller.SIGNED_IN, null, Kind.FORWARD, "defaults"),
      new Row("POST", "/account/email", Caller.SIGNED_IN, null, Kind.STEP_UP, "change-email"),
      new Row("POST", "/payouts/destination", Caller.SIGNED_IN, null, Kind.STEP_UP, "payout"),
      new Row("GET", "/admin/users", Caller.SIGNED_IN, null, Kind.DENY, "admin"),
      // a fresh step-up for the rule
      new Row("POST", "/account/email", Caller.STEPPED_UP, "change-email", Kind.FORWARD, "change-email"),
      new Row("GET", "/admin/users", Caller.STEPPED_UP, "change-email", Kind.DENY, "admin"),
      // a stale step-up
      new Row("POST", "/quick", Caller.STALE, "quick", Kind.STEP_UP, "quick"),
      // a one-time step-up for the rule, and one made for another rule
      new Row("POST", "/payouts/destination", Caller.STEPPED_UP, "payout", Kind.FORWARD, "payout"),
      new Row("POST", "/payouts/destination", Caller.STEPPED_UP, "change-email", Kind.STEP_UP, "payout"),
      new Row("POST", "/account/email", Caller.STEPPED_UP, "payout", Kind.STEP_UP, "change-email"),
      new Row("GET", "/account", Caller.STEPPED_UP, "payout", Kind.FORWARD, "defaults"));

  private static final Pattern DATA_RULE = Pattern.compile("data-rule=\"([^\"]*)\"");

  @TempDir Path dir;
  TestUpstream upstream;
  Gateways.Started relay;
  Gateways.Started vertx;
  HttpClient plain;

  @BeforeEach
  void start() throws Exception {
    upstream = new TestUpstream();
    relay = Gateways.withPolicy(upstream.url(), Files.createDirectories(dir.resolve("relay")), POLICY, TRUSTED);
    vertx = Gateways.withPolicy(upstream.url(), Files.createDirectories(dir.resolve("vertx")), POLICY,
        TRUSTED + "proxy: { relay: false }\n");
    plain = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(5)).build();
  }

  @AfterEach
  void stop() throws Exception {
    relay.gateway().close();
    vertx.gateway().close();
    upstream.close();
  }

  /** One row on one entry point: its own caller (a one-time step-up is spent once), its own tag. */
  final class Case {
    final Entry entry;
    final Row row;
    final String tag;
    final String base;
    PasskeyUser user;
    String heldId;

    Case(Entry entry, Row row, int index) {
      this.entry = entry;
      this.row = row;
      this.tag = row.path() + "?t=" + entry.name().toLowerCase() + "-" + index;
      this.base = (entry == Entry.PROXY ? vertx : relay).base();
    }

    /** Signs in, holds the form (held replay), and steps up as the row says. */
    void prepare() throws Exception {
      if (row.caller() == Caller.ANONYMOUS) return;
      user = new PasskeyUser(base);
      user.enroll("u" + Math.abs(tag.hashCode()));
      if (entry == Entry.HELD_REPLAY) {
        var held = user.send("POST", tag, "a=1", "Accept", "text/html", "Content-Type", "application/x-www-form-urlencoded");
        var location = held.headers().firstValue("Location").orElse("");
        assertEquals(303, held.statusCode(), row + ": the form is held");
        assertTrue(location.contains("&held="), location);
        heldId = location.substring(location.indexOf("&held=") + 6);
      }
      if (row.stepUpFor() == null) return;
      // The held request's rule is decided server-side; a step-up for another rule names it.
      boolean forHeld = heldId != null && row.stepUpFor().equals(row.rule());
      user.stepUp(forHeld ? new JsonObject().put("held", heldId) : new JsonObject().put("rule", row.stepUpFor()));
    }

    Seen send() throws Exception {
      return switch (entry) {
        case RELAY, PROXY -> proxied();
        case FORWARD_AUTH -> forwardAuth();
        case HELD_REPLAY -> replay();
      };
    }

    private Seen proxied() throws Exception {
      var headers = new ArrayList<>(List.of("Accept", "application/json", "Content-Type", "application/json"));
      if (user != null) headers.addAll(List.of("Cookie", user.cookie()));
      var r = exchange(base, row.method(), tag, row.method().equals("POST") ? "{}" : null, headers);
      return r.statusCode() == 200 ? forwarded(r) : problem(r);
    }

    private Seen forwardAuth() throws Exception {
      var headers = new ArrayList<>(List.of("Accept", "application/json", "X-Forwarded-Method", row.method(),
          "X-Forwarded-Proto", "http", "X-Forwarded-Host", "localhost:" + URI.create(base).getPort(), "X-Forwarded-Uri", tag));
      if (user != null) headers.addAll(List.of("Cookie", user.cookie()));
      var r = exchange(base, "GET", "/.stepgate/auth", null, headers);
      if (r.statusCode() != 200) return problem(r);
      return new Seen(Kind.FORWARD, r.headers().firstValue("X-Stepgate-Assertion").map(EntryPointAgreementTest::rule).orElse(null));
    }

    private Seen replay() throws Exception {
      var r = user.send("GET", "/.stepgate/resume/" + heldId, null, "Accept", "text/html");
      if (r.statusCode() == 200) return forwarded(r);
      if (r.statusCode() != 303) return problem(r);
      // Back to the prompt, the form still held: the prompt names the rule that asks.
      var location = r.headers().firstValue("Location").orElseThrow();
      assertTrue(location.endsWith("&held=" + heldId), location);
      var prompt = user.send("GET", location, null, "Accept", "text/html");
      var m = DATA_RULE.matcher(prompt.body());
      assertReceivedNothing();
      return new Seen(Kind.STEP_UP, m.find() ? m.group(1) : "no rule on the prompt");
    }

    private Seen forwarded(HttpResponse<String> r) {
      var got = upstream.received().stream().filter(x -> x.uri().equals(tag)).toList();
      assertEquals(1, got.size(), () -> entry + " " + row + ": the upstream received it once (" + r.body() + ")");
      var assertion = got.get(0).headers().get("X-Stepgate-Assertion");
      return new Seen(Kind.FORWARD, assertion == null ? null : rule(assertion));
    }

    private Seen problem(HttpResponse<String> r) {
      assertReceivedNothing();
      JsonObject p;
      try {
        p = new JsonObject(r.body());
      } catch (RuntimeException e) {
        throw new AssertionError(entry + " " + row + ": answered " + r.statusCode() + " " + r.body());
      }
      var kind = switch (p.getString("type", "")) {
        case "urn:stepgate:problem:login-required" -> Kind.LOGIN;
        case "urn:stepgate:problem:step-up-required" -> Kind.STEP_UP;
        case "urn:stepgate:problem:forbidden" -> Kind.DENY;
        default -> throw new AssertionError(entry + " " + row + ": answered " + r.statusCode() + " " + r.body());
      };
      assertEquals(kind == Kind.DENY ? 403 : 401, r.statusCode(), () -> entry + " " + row + ": " + r.body());
      return new Seen(kind, p.getString("rule"));
    }

    private void assertReceivedNothing() {
      assertTrue(upstream.received().stream().noneMatch(x -> x.uri().equals(tag)), () -> entry + " " + row + ": nothing goes upstream");
    }
  }

  /** Sends exactly these headers (no cookie jar). */
  HttpResponse<String> exchange(String base, String method, String path, String body, List<String> headers) throws Exception {
    var b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(20))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    for (int i = 0; i < headers.size(); i += 2) b.header(headers.get(i), headers.get(i + 1));
    return plain.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** The {@code rule} claim of a signed assertion (its signature is checked elsewhere: IdentityStampTest, StepUpFlowTest). */
  static String rule(String jwt) {
    var payload = new String(Base64.getUrlDecoder().decode(jwt.split("\\.")[1]), StandardCharsets.UTF_8);
    return new JsonObject(payload).getString("rule");
  }

  @Test
  void everyEntryPoint_sameRequestAndSession_sameVerdictAndRule() throws Exception {
    var cases = new ArrayList<Case>();
    for (var entry : Entry.values()) {
      for (int i = 0; i < ROWS.size(); i++) {
        var row = ROWS.get(i);
        if (entry != Entry.HELD_REPLAY || row.holds()) cases.add(new Case(entry, row, i));
      }
    }
    // Every caller is made first; then one wait makes the 1 s rule's step-ups stale (the 5 m and
    // one-time ones stay fresh), and every row is sent.
    for (var c : cases) c.prepare();
    Thread.sleep(1_500);
    var disagreements = new ArrayList<String>();
    for (var c : cases) {
      var seen = c.send();
      if (!seen.equals(c.row.expected())) disagreements.add(c.entry + " " + c.row + ": " + seen + ", expected " + c.row.expected());
    }
    assertEquals(List.of(), disagreements);
    // The relay took exactly the forwards it can decide at once (not the one-time one: that is
    // spent through the asynchronous way); the rest went on to Vert.x's path and agreed.
    assertEquals(5, Gateways.metric(Gateways.metrics(relay.gateway()), "stepgate_proxy_relayed_total"));
    assertEquals(7, cases.stream().filter(c -> c.entry == Entry.HELD_REPLAY).count(), "the held replay has its rows");
  }
}
