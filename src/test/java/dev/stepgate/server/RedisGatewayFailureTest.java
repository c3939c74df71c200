package dev.stepgate.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stepgate.testing.Gateways;
import dev.stepgate.testing.PasskeyUser;
import dev.stepgate.testing.Readiness;
import dev.stepgate.testing.RedisServer;
import dev.stepgate.testing.TestUpstream;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A gateway on {@code sessions.driver: redis} whose Redis dies mid-traffic: signed-in routes
 * answer 503 promptly (never a hang, never a 500, never forwarded), public routes keep being
 * served (without identity headers), readyz names the state, and after Redis returns the gateway works again by itself
 * (fail closed: the sessions the restarted Redis lost must sign in again).
 */
class RedisGatewayFailureTest {
  static final long BOUND_MS = 5000;

  @TempDir Path dir;
  RedisServer redis;
  TestUpstream upstream;
  Gateway gateway;
  String base;

  @BeforeEach
  void start() throws Exception {
    redis = RedisServer.start();
    upstream = new TestUpstream();
    var started = Gateways.withPolicy(upstream.url(), dir, Gateways.ADMIN_DENIED_PRIVATE_SIGNED_IN,
        "sessions: { driver: redis, url: '" + redis.url() + "' }\n");
    gateway = started.gateway();
    base = started.base();
  }

  @AfterEach
  void stop() throws Exception {
    gateway.close();
    upstream.close();
    redis.close();
  }

  HttpResponse<String> timed(PasskeyUser user, String path) throws Exception {
    long start = System.nanoTime();
    var r = user.send("GET", path, null, "Accept", "application/json");
    long ms = (System.nanoTime() - start) / 1_000_000;
    assertTrue(ms < BOUND_MS, path + " took " + ms + " ms");
    return r;
  }

  @Test
  void redisDown_signedInRoutes503Promptly_publicRoutesServed_thenRecovers() throws Exception {
    var alice = new PasskeyUser(base);
    alice.enroll("alice");
    assertEquals(200, timed(alice, "/private/statement").statusCode());
    assertTrue(Integer.parseInt(redis.command("DBSIZE").substring(1)) > 0, "the session lives in Redis");

    assertEquals("ok", Readiness.read(base).getString("status"));
    redis.stop();
    var down = Readiness.await(base, "sessions", "down", Duration.ofSeconds(3)).body();
    assertEquals("degraded", down.getString("status"), down.encode());
    assertEquals("redis", down.getJsonObject("sessions").getString("driver"));
    assertEquals("ok", down.getJsonObject("storage").getString("status"), "the embedded storage is not Redis");
    assertFalse(down.encode().contains(redis.url()), "readyz never shows the URL");
    // What this node read in the last 500 ms may still pass from its near cache (the bound a lost
    // invalidation has too); beyond that nothing is vouched for without Redis.
    Thread.sleep(dev.stepgate.redis.RedisBackend.Settings.NEAR_CACHE_TTL.toMillis() + 100);
    for (int i = 0; i < 5; i++) {
      var r = timed(alice, "/private/statement");
      assertEquals(503, r.statusCode(), r.body());
      assertEquals("urn:stepgate:problem:unavailable", new JsonObject(r.body()).getString("type"));
    }
    long t0 = System.nanoTime();
    var browser = alice.send("GET", "/private/statement", null, "Accept", "text/html,application/xhtml+xml");
    assertTrue((System.nanoTime() - t0) / 1_000_000 < BOUND_MS);
    assertEquals(503, browser.statusCode());
    assertTrue(browser.headers().firstValue("Content-Type").orElse("").startsWith("text/html"), "a page for a browser");
    assertTrue(browser.body().contains("Temporarily unavailable"), browser.body());
    assertFalse(browser.body().contains("Exception") || browser.body().contains("redis"), browser.body());
    assertEquals("5", browser.headers().firstValue("Retry-After").orElse(""), "says when to try again");
    // Every request the session store failed is counted, not only the probe's one per interval.
    assertTrue(Gateways.metric(Gateways.metrics(gateway), "stepgate_store_errors_total{dependency=\"sessions\"}") >= 6,
        "each 503 counts as a store error");
    var page = timed(alice, "/public/page");
    assertEquals(200, page.statusCode(), "a public route still passes, for a signed-in browser too");
    assertEquals(null, upstream.last().headers().get("X-Stepgate-User"), "without an identity nobody could check");
    var anonymous = new PasskeyUser(base);
    assertEquals(200, timed(anonymous, "/public/page").statusCode(), "public routes need no Redis");
    var ready = new JsonObject(timed(anonymous, "/.stepgate/readyz").body());
    assertEquals("down", ready.getJsonObject("sessions").getString("pubsub"), ready.encode());

    redis.restart(); // without persistence: every session is gone, so the old cookie must sign in again
    long deadline = System.nanoTime() + 10_000_000_000L;
    int status;
    do {
      status = timed(alice, "/private/statement").statusCode();
      if (status == 401) break;
      assertEquals(503, status, "only 503 until Redis answers");
      Thread.sleep(100);
    } while (System.nanoTime() < deadline);
    assertEquals(401, status, "a session Redis lost is not honoured");
    var login = alice.api("login/options", new JsonObject().put("username", "alice"));
    var assertion = alice.authenticator.get(login.getJsonObject("publicKey").encode());
    alice.api("login/verify", new JsonObject().put("ceremonyId", login.getString("ceremonyId"))
        .put("credential", new JsonObject(assertion)));
    assertEquals(200, timed(alice, "/private/statement").statusCode(), "signed in again: the session is in Redis");
    Readiness.await(base, "sessions", "ok", Duration.ofSeconds(5));
    long readyBy = System.nanoTime() + 5_000_000_000L;
    while (!new JsonObject(timed(anonymous, "/.stepgate/readyz").body()).getJsonObject("sessions").getString("pubsub").equals("ok")) {
      assertTrue(System.nanoTime() < readyBy, "pub/sub back within 5 s");
      Thread.sleep(50);
    }
    assertEquals("ok", Readiness.read(base).getString("status"), "nothing left degraded");
  }
}
