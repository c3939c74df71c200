package dev.stepgate.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.stepgate.testing.PasskeyUser;
import dev.stepgate.testing.Readiness;
import dev.stepgate.testing.TestUpstream;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Two gateway processes ({@code java -jar target/stepgate.jar run}) on one real Postgres and one
 * real Redis behind nginx, started by {@code scripts/cluster} exactly as a person would start
 * them: a ceremony begun on one node finishes on the other, a session and a step-up made on one are
 * honoured on the other and through the load balancer, a one-time step-up is spent once across
 * both, a revocation on either node or from the command line holds on the other within a second,
 * and stopping Redis or Postgres mid-traffic gives prompt 503s where they are needed, public pages
 * throughout, and recovery without a restart. The programs must be installed: a missing one fails
 * the test, never skips it.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TwoNodeClusterIT {
  static final String POLICY = """
      version: 1
      defaults: { require: authenticated }
      rules:
        - name: public
          match: { paths: ["/public/**"] }
          require: public
        - name: step
          match: { paths: ["/step/**"] }
          require: step_up
          max_age: 5m
        - name: once
          match: { methods: [POST], paths: ["/once/**"] }
          require: step_up
          max_age: 0s
      """;
  /** What SPEC section 7 promises for a revocation, logout or disable made anywhere. */
  static final long PROMISE_MS = 1_000;
  /** How long a request may take while a dependency is down (the stores' call bounds are 2-3 s). */
  static final long OUTAGE_BOUND_MS = 3_500;
  static final int RACERS = 20;

  static Path repo;
  static Path dir;
  static Path jar;
  static TestUpstream upstream;
  static Map<String, String> env;
  static String a;
  static String b;
  static String lb;
  static final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(3)).build();

  @BeforeAll
  static void up() throws Exception {
    repo = Path.of(System.getProperty("basedir", "")).toAbsolutePath();
    jar = repo.resolve("target/stepgate.jar");
    assertTrue(Files.isRegularFile(jar), "the jar is built before the integration tests: " + jar);
    upstream = new TestUpstream();
    // nginx's workers run as nobody when the tests run as root: they must reach the cluster's files.
    dir = Files.createTempDirectory("stepgate-cluster-it-");
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    var policy = dir.resolve("policies.yaml");
    Files.writeString(policy, POLICY);
    // Every client here is 127.0.0.1 and signs in faster than people: limits no test meets.
    var run = run(Duration.ofSeconds(240), Map.of("NODE_EXTRA_CONFIG", dev.stepgate.testing.Gateways.TEST_LIMITS),
        "bash", repo.resolve("scripts/cluster").toString(), "up", dir.resolve("c").toString(), "--upstream", upstream.url(),
        "--policies", policy.toString(), "--jar", jar.toString());
    assertEquals(0, run.code, () -> "scripts/cluster up failed:\n" + run.output + logs());
    env = readEnv(dir.resolve("c/cluster.env"));
    a = env.get("NODE_A_URL");
    b = env.get("NODE_B_URL");
    lb = env.get("PUBLIC_URL");
    assertEquals("a b", env.get("NODES"));
  }

  @AfterAll
  static void down() throws Exception {
    try {
      if (dir != null && Files.exists(dir.resolve("c/cluster.env"))) {
        System.out.println(logs());
        var run = cluster(Duration.ofSeconds(60), "down", dir.resolve("c").toString());
        assertEquals(0, run.code, run.output);
      }
      // The logs' tails are in the test's output above; the files go with the directory.
      if (dir != null) {
        try (var files = Files.walk(dir)) {
          for (var f : files.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(f);
        }
      }
    } finally {
      if (upstream != null) upstream.close();
    }
  }

  // ---- one session across nodes -----------------------------------------------------------------

  @Test
  @Order(1)
  void registrationBegunOnA_finishedOnB_signsInOnEveryNodeAndTheLoadBalancer() throws Exception {
    var alice = new PasskeyUser(a);
    var start = alice.api("registration/options", new JsonObject().put("username", "alice"));
    var created = alice.authenticator.create(start.getJsonObject("publicKey").encode());
    alice.at(b).api("registration/verify", new JsonObject().put("ceremonyId", start.getString("ceremonyId"))
        .put("credential", new JsonObject(created)));
    for (var base : List.of(a, b, lb)) {
      upstream.clear();
      var r = alice.at(base).send("GET", "/private/report", null, "Accept", "application/json");
      assertEquals(200, r.statusCode(), base + ": " + r.body());
      assertEquals("alice", upstream.last().headers().get("X-Stepgate-User"), base);
    }
    // And a sign-in ceremony the other way round, begun through the load balancer.
    var laptop = new PasskeyUser(b);
    var login = laptop.at(lb).api("login/options", new JsonObject().put("username", "alice"));
    var assertion = alice.authenticator.get(login.getJsonObject("publicKey").encode());
    laptop.at(a).api("login/verify", new JsonObject().put("ceremonyId", login.getString("ceremonyId"))
        .put("credential", new JsonObject(assertion)));
    assertEquals(200, laptop.at(b).send("GET", "/private/report", null, "Accept", "application/json").statusCode());
  }

  @Test
  @Order(2)
  void aCeremonyIsSingleUseAcrossNodes() throws Exception {
    var mallory = new PasskeyUser(a);
    var start = mallory.api("registration/options", new JsonObject().put("username", "mallory"));
    var created = new JsonObject(mallory.authenticator.create(start.getJsonObject("publicKey").encode()));
    var body = new JsonObject().put("ceremonyId", start.getString("ceremonyId")).put("credential", created).encode();
    // The same ceremony finished on both nodes at once: one wins, the other is refused.
    var onA = mallory.at(a).http.sendAsync(apiPost(a, "registration/verify", body), HttpResponse.BodyHandlers.ofString());
    var onB = new PasskeyUser(b).http.sendAsync(apiPost(b, "registration/verify", body), HttpResponse.BodyHandlers.ofString());
    var statuses = Stream.of(onA, onB).map(CompletableFuture::join).map(HttpResponse::statusCode).sorted().toList();
    assertEquals(200, statuses.get(0), statuses.toString());
    assertTrue(statuses.get(1) >= 400 && statuses.get(1) < 500, statuses.toString());
  }

  @Test
  @Order(3)
  void aStepUpMadeOnA_isHonouredOnBAndTheLoadBalancer() throws Exception {
    var bob = new PasskeyUser(a);
    bob.enroll("bob");
    var before = bob.at(b).send("GET", "/step/settings", null, "Accept", "application/json");
    assertEquals(401, before.statusCode(), before.body());
    assertTrue(before.headers().firstValue("WWW-Authenticate").orElse("").contains("insufficient_user_authentication"));
    bob.stepUp(new JsonObject().put("rule", "step"));
    for (var base : List.of(b, lb, a))
      assertEquals(200, bob.at(base).send("GET", "/step/settings", null, "Accept", "application/json").statusCode(), base);
  }

  @Test
  @Order(4)
  void aOneTimeStepUp_isSpentOnceAcrossBothNodes() throws Exception {
    var carol = new PasskeyUser(a);
    carol.enroll("carol");
    for (int round = 0; round < 3; round++) {
      // Made on either node; spent by 20 requests at once, half to each node.
      (round % 2 == 0 ? carol : carol.at(b)).stepUp(new JsonObject().put("rule", "once"));
      upstream.clear();
      var answers = new ArrayList<CompletableFuture<HttpResponse<String>>>();
      for (int i = 0; i < RACERS; i++) {
        var base = i % 2 == 0 ? a : b;
        var req = HttpRequest.newBuilder(URI.create(base + "/once/pay?n=" + i)).timeout(Duration.ofSeconds(10))
            .header("Accept", "application/json").header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString("{}")).build();
        answers.add(carol.http.sendAsync(req, HttpResponse.BodyHandlers.ofString()));
      }
      var all = answers.stream().map(CompletableFuture::join).toList();
      var ok = all.stream().filter(r -> r.statusCode() == 200).count();
      assertEquals(1, ok, "round " + round + ": " + all.stream().map(HttpResponse::statusCode).toList());
      for (var r : all) {
        if (r.statusCode() == 200) continue;
        assertEquals(401, r.statusCode(), r.body());
        assertEquals("urn:stepgate:problem:step-up-required", new JsonObject(r.body()).getString("type"));
        assertEquals("once", new JsonObject(r.body()).getString("rule"));
      }
      assertEquals(1, upstream.received().stream().filter(r -> r.uri().startsWith("/once/pay")).count(),
          "round " + round + ": the upstream saw the request once");
    }
  }

  // ---- revocation from anywhere holds everywhere --------------------------------------------------

  @Test
  @Order(5)
  void aPasskeyRevokedOnA_isRefusedOnBWithinASecond() throws Exception {
    var dave = new PasskeyUser(a);
    dave.enroll("dave");
    dave.stepUp(new JsonObject().put("rule", "stepgate:add-passkey"));
    var phone = new PasskeyUser(b);
    var options = dave.api("registration/options", new JsonObject().put("username", "dave"));
    var created = new JsonObject(phone.authenticator.create(options.getJsonObject("publicKey").encode()));
    dave.api("registration/verify", new JsonObject().put("ceremonyId", options.getString("ceremonyId")).put("credential", created));
    signIn(phone, "dave");
    assertEquals(200, privateGet(phone).statusCode());
    assertEquals(200, privateGet(phone.at(lb)).statusCode());

    dave.stepUp(new JsonObject().put("rule", "stepgate:revoke-passkey"));
    dave.api("credentials/revoke", new JsonObject().put("credentialId", created.getString("rawId")));
    long ms = signedOutWithin(phone);
    System.out.println("API revocation on node a refused on node b after " + ms + " ms");
    assertEquals(401, privateGet(phone.at(lb)).statusCode(), "and through the load balancer");
    assertEquals(200, privateGet(dave.at(b)).statusCode(), "the other passkey's session stays");
  }

  @Test
  @Order(6)
  void aPasskeyRevokedFromTheCommandLine_isRefusedOnBothNodesWithinASecond() throws Exception {
    var erin = new PasskeyUser(b);
    erin.enroll("erin");
    assertEquals(200, privateGet(erin.at(a)).statusCode());
    var list = stepgate("credentials", "list", "erin", "--config", env.get("NODE_A_CONFIG"));
    assertEquals(0, list.code, list.output);
    var id = list.output.strip().lines().filter(l -> !l.startsWith("WARNING")).findFirst().orElseThrow().split("\t")[0];
    var revoke = stepgate("credentials", "revoke", "--config", env.get("NODE_A_CONFIG"), "erin", "--", id);
    assertEquals(0, revoke.code, revoke.output);
    long onB = signedOutWithin(erin);
    long onA = signedOutWithin(erin.at(a));
    System.out.println("CLI revocation refused on node b after " + onB + " ms, on node a after " + onA + " ms more");
  }

  @Test
  @Order(7)
  void aLogoutOnA_endsTheSessionOnBWithinASecond() throws Exception {
    var ivan = new PasskeyUser(a);
    ivan.enroll("ivan");
    var stolen = ivan.cookie();
    assertEquals(200, privateGet(ivan.at(b)).statusCode(), "b has read the session (its near cache holds it now)");
    ivan.api("logout", new JsonObject());
    // The cookie the browser dropped, replayed on the other node, as someone who copied it would.
    long start = System.nanoTime();
    long deadline = start + PROMISE_MS * 1_000_000L;
    int status;
    do {
      status = client.send(HttpRequest.newBuilder(URI.create(b + "/private/report")).header("Accept", "application/json")
          .header("Cookie", stolen).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).statusCode();
      if (status == 401) break;
      Thread.sleep(20);
    } while (System.nanoTime() < deadline);
    assertEquals(401, status, "a logged-out session still worked on b " + PROMISE_MS + " ms later");
    System.out.println("logout on node a refused on node b after " + (System.nanoTime() - start) / 1_000_000 + " ms");
  }

  @Test
  @Order(8)
  void migrationsRanOnce_thoughBothNodesStartedOnAnEmptyDatabase() throws Exception {
    var psql = run(Duration.ofSeconds(30), Map.of(), "psql", env.get("POSTGRES_URL"), "-tA", "-c",
        "SELECT version || ':' || name FROM schema_version ORDER BY version");
    assertEquals(0, psql.code, psql.output);
    assertEquals(List.of("1:V1__init.sql", "2:V2__revocations.sql", "3:V3__install_secrets.sql", "4:V4__recovery.sql", "5:V5__user_disabled.sql", "6:V6__user_groups.sql"), psql.output.strip().lines().toList());
  }

  // ---- what fails how ---------------------------------------------------------------------------

  @Test
  @Order(9)
  void redisStoppedMidTraffic_signedIn503Promptly_publicServed_thenRecoversByItself() throws Exception {
    var frank = new PasskeyUser(a);
    frank.enroll("frank");
    try (var traffic = new Traffic(frank)) {
      Thread.sleep(300);
      assertEquals(0, cluster(Duration.ofSeconds(30), "stop", "redis", dir.resolve("c").toString()).code);
      for (var node : List.of(a, b)) {
        var seen = Readiness.await(node, "sessions", "down", Duration.ofSeconds(3));
        assertEquals("degraded", seen.body().getString("status"));
      }
      // Past the near cache's 500 ms nothing signed in is vouched for without Redis.
      Thread.sleep(600);
      for (var base : List.of(a, b, lb)) {
        var r = timed(() -> privateGet(frank.at(base)));
        assertEquals(503, r.statusCode(), base + ": " + r.body());
        assertEquals("urn:stepgate:problem:unavailable", new JsonObject(r.body()).getString("type"));
        assertEquals(200, timed(() -> new PasskeyUser(base).send("GET", "/public/page", null)).statusCode(), base);
      }
      assertEquals(0, cluster(Duration.ofSeconds(30), "start", "redis", dir.resolve("c").toString()).code);
      for (var node : List.of(a, b)) Readiness.await(node, "sessions", "ok", Duration.ofSeconds(5));
      // Redis kept nothing (no persistence): the session is gone, and no node honours it from a cache.
      long deadline = System.nanoTime() + 5_000_000_000L;
      int status;
      do {
        status = privateGet(frank.at(lb)).statusCode();
        if (status == 401) break;
        Thread.sleep(100);
      } while (System.nanoTime() < deadline);
      assertEquals(401, status, "a session Redis lost is not honoured");
      signIn(frank.at(b), "frank");
      assertEquals(200, privateGet(frank.at(a)).statusCode(), "signed in again on b, honoured on a");
      traffic.assertOnlyPromptAnswers(true);
    }
  }

  @Test
  @Order(10)
  void postgresStoppedMidTraffic_ceremonies503Promptly_sessionsAndPublicServed_thenRecoversByItself() throws Exception {
    var grace = new PasskeyUser(a);
    grace.enroll("grace");
    try (var traffic = new Traffic(grace)) {
      Thread.sleep(300);
      assertEquals(0, cluster(Duration.ofSeconds(60), "stop", "postgres", dir.resolve("c").toString()).code);
      for (var node : List.of(a, b)) {
        var seen = Readiness.await(node, "storage", "down", Duration.ofSeconds(3));
        assertEquals("ok", seen.body().getJsonObject("sessions").getString("status"), "Redis is still up");
      }
      for (var base : List.of(a, b, lb)) {
        var someone = new PasskeyUser(base);
        var r = timed(() -> someone.send("POST", "/.stepgate/api/registration/options",
            new JsonObject().put("username", "nobody").encode(), "Content-Type", "application/json", "Origin", base));
        assertEquals(503, r.statusCode(), base + ": " + r.body());
        assertEquals("urn:stepgate:problem:storage-unavailable", new JsonObject(r.body()).getString("type"));
        assertEquals(200, timed(() -> privateGet(grace.at(base))).statusCode(), base + ": a session lives in Redis");
        assertEquals(200, timed(() -> someone.send("GET", "/public/page", null)).statusCode(), base);
      }
      assertEquals(0, cluster(Duration.ofSeconds(60), "start", "postgres", dir.resolve("c").toString()).code);
      for (var node : List.of(a, b)) Readiness.await(node, "storage", "ok", Duration.ofSeconds(10));
      var heidi = new PasskeyUser(b);
      heidi.enroll("heidi");
      assertEquals(200, privateGet(heidi.at(a)).statusCode());
      traffic.assertOnlyPromptAnswers(false);
    }
  }

  // ---- helpers ----------------------------------------------------------------------------------

  /**
   * Requests through the load balancer while a test stops and starts a dependency: a public page
   * and a signed-in one, one after another. Every answer must be prompt and one of 200, 401 or 503:
   * never a 500, a 502 (a node fell over) or a hang.
   */
  static final class Traffic implements AutoCloseable {
    final AtomicBoolean running = new AtomicBoolean(true);
    final Map<Integer, AtomicLong> statuses = new ConcurrentHashMap<>();
    final AtomicLong slowestMs = new AtomicLong();
    final List<String> odd = java.util.Collections.synchronizedList(new ArrayList<>());
    final Thread thread;

    Traffic(PasskeyUser user) {
      var anonymous = new PasskeyUser(lb);
      var signedIn = user.at(lb);
      thread = new Thread(() -> {
        int i = 0;
        while (running.get() && i < 20_000) {
          try {
            long t0 = System.nanoTime();
            var r = i++ % 2 == 0 ? anonymous.send("GET", "/public/page", null) : privateGet(signedIn);
            long ms = (System.nanoTime() - t0) / 1_000_000;
            slowestMs.accumulateAndGet(ms, Math::max);
            statuses.computeIfAbsent(r.statusCode(), k -> new AtomicLong()).incrementAndGet();
            if (r.statusCode() != 200 && r.statusCode() != 401 && r.statusCode() != 503)
              odd.add(r.statusCode() + " " + r.body());
            Thread.sleep(5);
          } catch (Exception e) {
            odd.add(e.toString());
          }
        }
      }, "cluster-traffic");
      thread.start();
    }

    void assertOnlyPromptAnswers(boolean expect503) throws InterruptedException {
      running.set(false);
      thread.join(10_000);
      System.out.println("traffic through the load balancer: " + statuses + ", slowest " + slowestMs.get() + " ms");
      assertEquals(List.of(), odd, "only 200, 401 or 503");
      assertTrue(slowestMs.get() < OUTAGE_BOUND_MS, "slowest answer " + slowestMs.get() + " ms");
      assertTrue(statuses.getOrDefault(200, new AtomicLong()).get() > 10, statuses.toString());
      if (expect503) assertTrue(statuses.containsKey(503), "the outage was seen: " + statuses);
    }

    @Override
    public void close() throws InterruptedException {
      running.set(false);
      thread.join(10_000);
    }
  }

  interface Call {
    HttpResponse<String> send() throws Exception;
  }

  static HttpResponse<String> timed(Call call) throws Exception {
    long t0 = System.nanoTime();
    var r = call.send();
    long ms = (System.nanoTime() - t0) / 1_000_000;
    assertTrue(ms < OUTAGE_BOUND_MS, "answered in " + ms + " ms");
    return r;
  }

  static HttpRequest apiPost(String base, String path, String body) {
    return HttpRequest.newBuilder(URI.create(base + "/.stepgate/api/" + path)).timeout(Duration.ofSeconds(10))
        .header("Content-Type", "application/json").header("Origin", base)
        .POST(HttpRequest.BodyPublishers.ofString(body)).build();
  }

  static HttpResponse<String> privateGet(PasskeyUser user) throws Exception {
    return user.send("GET", "/private/report", null, "Accept", "application/json");
  }

  static void signIn(PasskeyUser user, String username) throws Exception {
    var options = user.api("login/options", new JsonObject().put("username", username));
    var assertion = user.authenticator.get(options.getJsonObject("publicKey").encode());
    user.api("login/verify", new JsonObject().put("ceremonyId", options.getString("ceremonyId"))
        .put("credential", new JsonObject(assertion)));
  }

  /** Polls until the session gets the sign-in answer; returns how long that took, failing past the promise. */
  static long signedOutWithin(PasskeyUser user) throws Exception {
    long start = System.nanoTime();
    long deadline = start + PROMISE_MS * 1_000_000L;
    HttpResponse<String> r;
    do {
      r = privateGet(user);
      if (r.statusCode() == 401) {
        assertEquals("Bearer error=\"invalid_token\", error_description=\"login required\"",
            r.headers().firstValue("WWW-Authenticate").orElseThrow());
        return (System.nanoTime() - start) / 1_000_000;
      }
      Thread.sleep(20);
    } while (System.nanoTime() < deadline);
    fail("the session still worked on " + user.base + " " + PROMISE_MS + " ms after the revocation: " + r.statusCode());
    return -1;
  }

  record Run(int code, String output) {}

  static Run cluster(Duration bound, String... args) throws Exception {
    var cmd = new ArrayList<String>(List.of("bash", repo.resolve("scripts/cluster").toString()));
    cmd.addAll(List.of(args));
    return run(bound, Map.of(), cmd.toArray(String[]::new));
  }

  static Run stepgate(String... args) throws Exception {
    var cmd = new ArrayList<String>(List.of("java", "-jar", jar.toString()));
    cmd.addAll(List.of(args));
    return run(Duration.ofSeconds(60), Map.of(), cmd.toArray(String[]::new));
  }

  static Run run(Duration bound, Map<String, String> extraEnv, String... cmd) throws Exception {
    var out = Files.createTempFile(dir, "run-", ".log");
    var pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile());
    pb.environment().putAll(extraEnv);
    var p = pb.start();
    if (!p.waitFor(bound.toSeconds(), TimeUnit.SECONDS)) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
      fail(String.join(" ", cmd) + " ran past " + bound.toSeconds() + " s:\n" + Files.readString(out));
    }
    return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
  }

  static Map<String, String> readEnv(Path file) throws IOException {
    var out = new HashMap<String, String>();
    for (var line : Files.readAllLines(file)) {
      int eq = line.indexOf('=');
      if (eq <= 0) continue;
      var v = line.substring(eq + 1);
      if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) v = v.substring(1, v.length() - 1);
      out.put(line.substring(0, eq), v);
    }
    return out;
  }

  /** The tail of every log the cluster wrote, for a failure's report. */
  static String logs() {
    var sb = new StringBuilder();
    try (var files = Files.walk(dir)) {
      for (var f : files.filter(p -> p.toString().endsWith(".log")).sorted().toList()) {
        var lines = Files.readAllLines(f, StandardCharsets.UTF_8);
        sb.append("\n--- ").append(dir.relativize(f)).append('\n');
        lines.subList(Math.max(0, lines.size() - 40), lines.size()).forEach(l -> sb.append(l).append('\n'));
      }
    } catch (IOException e) {
      sb.append("(logs unreadable: ").append(e).append(")");
    }
    return sb.toString();
  }
}
