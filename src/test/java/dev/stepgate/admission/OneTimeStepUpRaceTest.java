package dev.stepgate.admission;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stepgate.testing.Gateways;
import dev.stepgate.testing.PasskeyUser;
import dev.stepgate.testing.RawClient;
import dev.stepgate.testing.TestUpstream;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A one-time ({@code max_age: 0s}) step-up authorizes exactly one request, whichever way 20
 * requests made at the same moment come in: the relay (which hands a one-time spend on), Vert.x's
 * path, forward-auth, held replays, and all of them mixed on one gateway. What counts is what the
 * upstream received (and forward-auth's 200s): exactly one. Every other request is asked to step
 * up again; a held form that lost the race stays held.
 */
class OneTimeStepUpRaceTest {
  static final String POLICY = """
      version: 1
      defaults: { require: authenticated }
      rules:
        - name: payout
          match: { methods: [POST], paths: ["/payouts/destination"] }
          require: step_up
          max_age: 0s
      """;
  static final String CONFIG = "trusted_proxies: [127.0.0.1/32]\n";
  static final int RACERS = 20;

  @TempDir Path dir;
  TestUpstream upstream;
  Gateways.Started started;
  int port;
  PasskeyUser user;

  @BeforeEach
  void start() throws Exception {
    upstream = new TestUpstream();
  }

  @AfterEach
  void stop() throws Exception {
    if (started != null) started.gateway().close();
    upstream.close();
  }

  /** A gateway, and a user signed in on it. */
  void gateway(String extraYaml) throws Exception {
    started = Gateways.withPolicy(upstream.url(), Files.createDirectories(dir.resolve("gw")), POLICY,
        CONFIG + "proxy: { held_requests_per_session: " + RACERS + extraYaml + " }\n");
    port = URI.create(started.base()).getPort();
    user = new PasskeyUser(started.base());
    user.enroll("racer");
  }

  // --- one request of each kind, as bytes ----------------------------------------------------------

  String proxied(int n, String version) {
    return "POST /payouts/destination?n=" + n + " " + version + "\r\nHost: localhost:" + port + "\r\nCookie: " + user.cookie()
        + "\r\nAccept: application/json\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}";
  }

  /** Through the relay's lane: HTTP/1.1, which the relay plans first. */
  String relayed(int n) {
    return proxied(n, "HTTP/1.1");
  }

  /** Straight onto Vert.x's path on a relaying gateway: the relay plans only HTTP/1.1. */
  String http10(int n) {
    return proxied(n, "HTTP/1.0");
  }

  String forwardAuth(int n) {
    return "GET /.stepgate/auth HTTP/1.1\r\nHost: localhost:" + port + "\r\nCookie: " + user.cookie()
        + "\r\nAccept: application/json\r\nX-Forwarded-Method: POST\r\nX-Forwarded-Proto: http\r\nX-Forwarded-Host: localhost:"
        + port + "\r\nX-Forwarded-Uri: /payouts/destination?n=" + n + "\r\n\r\n";
  }

  String resume(String heldId) {
    return "GET /.stepgate/resume/" + heldId + " HTTP/1.1\r\nHost: localhost:" + port + "\r\nCookie: " + user.cookie()
        + "\r\nAccept: text/html\r\n\r\n";
  }

  /** Holds {@code count} browser form POSTs to the one-time route for the user's session; their ids. */
  List<String> hold(int count) throws Exception {
    var ids = new ArrayList<String>();
    for (int i = 0; i < count; i++) {
      var r = user.send("POST", "/payouts/destination?held=" + i, "to=" + i, "Accept", "text/html",
          "Content-Type", "application/x-www-form-urlencoded");
      var location = r.headers().firstValue("Location").orElse("");
      assertEquals(303, r.statusCode(), location);
      ids.add(location.substring(location.indexOf("&held=") + 6));
    }
    return ids;
  }

  /** A one-time step-up for the payout rule (through a held form when there is one: its rule is decided server-side). */
  void stepUp(List<String> held) throws Exception {
    user.stepUp(held.isEmpty() ? new JsonObject().put("rule", "payout") : new JsonObject().put("held", held.get(0)));
  }

  /** Opens every connection, then sends all requests at once; the responses in order. */
  List<RawClient.Response> race(List<String> requests) throws Exception {
    var clients = new ArrayList<RawClient>();
    var pool = Executors.newFixedThreadPool(requests.size());
    try {
      for (int i = 0; i < requests.size(); i++) clients.add(new RawClient(port));
      var go = new CountDownLatch(1);
      var answers = new ArrayList<Future<RawClient.Response>>();
      for (int i = 0; i < requests.size(); i++) {
        var client = clients.get(i);
        var request = requests.get(i);
        answers.add(pool.submit(() -> {
          go.await();
          return client.send(request).read();
        }));
      }
      go.countDown();
      var out = new ArrayList<RawClient.Response>();
      for (var a : answers) out.add(a.get(20, TimeUnit.SECONDS));
      return out;
    } finally {
      pool.shutdownNow();
      for (var c : clients) c.close();
    }
  }

  long payoutsReceived() {
    return upstream.received().stream().filter(r -> r.uri().startsWith("/payouts/destination")).count();
  }

  /** Every answer is the one forward (200), or a step-up asked again: 401 for API clients, 303 to the prompt for a held form. */
  static void assertOneWinner(List<RawClient.Response> answers) {
    assertEquals(1, answers.stream().filter(r -> r.status() == 200).count(), () -> statuses(answers));
    for (var r : answers) {
      if (r.status() == 200) continue;
      if (r.status() == 303) {
        assertTrue(r.headers().get("location").startsWith("/.stepgate/step-up?rd=%2Fpayouts%2Fdestination"), r.raw());
      } else {
        assertEquals(401, r.status(), r.raw());
        assertEquals("urn:stepgate:problem:step-up-required", new JsonObject(r.body()).getString("type"));
        assertEquals("payout", new JsonObject(r.body()).getString("rule"));
      }
    }
  }

  static String statuses(List<RawClient.Response> answers) {
    return answers.stream().map(r -> Integer.toString(r.status())).toList().toString();
  }

  @Test
  void relay_twentyAtOnce_oneReachesTheUpstream() throws Exception {
    gateway("");
    stepUp(List.of());
    var requests = new ArrayList<String>();
    for (int i = 0; i < RACERS; i++) requests.add(relayed(i));
    assertOneWinner(race(requests));
    assertEquals(1, payoutsReceived());
  }

  @Test
  void vertxPath_twentyAtOnce_oneReachesTheUpstream() throws Exception {
    gateway(", relay: false");
    stepUp(List.of());
    var requests = new ArrayList<String>();
    for (int i = 0; i < RACERS; i++) requests.add(i % 2 == 0 ? relayed(i) : http10(i));
    assertOneWinner(race(requests));
    assertEquals(1, payoutsReceived());
  }

  @Test
  void forwardAuth_twentyAtOnce_oneIsAllowed() throws Exception {
    gateway("");
    stepUp(List.of());
    var requests = new ArrayList<String>();
    for (int i = 0; i < RACERS; i++) requests.add(forwardAuth(i));
    assertOneWinner(race(requests));
    assertEquals(0, payoutsReceived());
  }

  @Test
  void heldReplay_twentyFormsAtOnce_oneIsSent_theOthersStayHeld() throws Exception {
    gateway("");
    var held = hold(RACERS);
    stepUp(held);
    var requests = new ArrayList<String>();
    for (var id : held) requests.add(resume(id));
    var answers = race(requests);
    assertOneWinner(answers);
    assertEquals(1, payoutsReceived());
    // A replay that lost the race for the step-up did not take its form: a new step-up sends it.
    int loser = answers.get(0).status() == 200 ? 1 : 0;
    assertEquals(303, answers.get(loser).status());
    user.stepUp(new JsonObject().put("held", held.get(loser)));
    var again = user.send("GET", "/.stepgate/resume/" + held.get(loser), null, "Accept", "text/html");
    assertEquals(200, again.statusCode(), again.body());
    assertEquals("POST /payouts/destination?held=" + loser + " " + ("to=" + loser).length(), again.body());
    assertEquals(2, payoutsReceived());
  }

  @Test
  void heldReplay_oneFormResumedTwentyTimesAtOnce_isSentOnce() throws Exception {
    gateway("");
    var held = hold(1);
    stepUp(held);
    var requests = new ArrayList<String>();
    for (int i = 0; i < RACERS; i++) requests.add(resume(held.get(0)));
    var answers = race(requests);
    assertEquals(1, answers.stream().filter(r -> r.status() == 200).count(), () -> statuses(answers));
    for (var r : answers) assertTrue(r.status() == 200 || r.status() == 303 || r.status() == 410, r.raw());
    assertEquals(1, payoutsReceived());
  }

  @Test
  void mixed_relayVertxForwardAuthAndHeldReplays_oneGetsThrough() throws Exception {
    gateway("");
    var held = hold(RACERS / 4);
    stepUp(held);
    var requests = new ArrayList<String>();
    for (int i = 0; i < RACERS / 4; i++) {
      requests.add(relayed(i));
      requests.add(http10(100 + i));
      requests.add(forwardAuth(200 + i));
      requests.add(resume(held.get(i)));
    }
    var answers = race(requests);
    assertOneWinner(answers);
    long forwardAuthAllowed = 0;
    for (int i = 0; i < answers.size(); i++) if (i % 4 == 2 && answers.get(i).status() == 200) forwardAuthAllowed++;
    assertEquals(1, payoutsReceived() + forwardAuthAllowed, () -> statuses(answers));
  }
}
