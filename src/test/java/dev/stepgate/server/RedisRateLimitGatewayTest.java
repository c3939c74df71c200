package dev.stepgate.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.stepgate.testing.PasskeyUser;
import dev.stepgate.testing.RedisServer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The rate limits on {@code sessions.driver: redis} (one GCRA script per hit on a real
 * redis-server): the same behaviour, the count shared by every node, and a Redis that cannot
 * answer refuses (503), never lets the request through.
 */
class RedisRateLimitGatewayTest extends RateLimitGatewayContract {
  static RedisServer redis;

  @BeforeAll
  static void startRedis() {
    redis = RedisServer.start();
  }

  @AfterAll
  static void stopRedis() {
    redis.close();
  }

  @AfterEach
  void flush() {
    redis.flushAll();
  }

  @Override
  String sessionsYaml() {
    return "sessions: { driver: redis, url: '" + redis.url() + "' }\n";
  }

  @Test
  void twoNodes_shareOneLimit() throws Exception {
    var limits = "limits: { per_ip: { ceremonies: { rate: 6/1m, burst: 3 } } }\n";
    var a = new PasskeyUser(start(limits));
    var b = new PasskeyUser(start(limits));
    assertEquals(200, post(a, "login/options", new JsonObject()).statusCode());
    assertEquals(200, post(b, "login/options", new JsonObject()).statusCode());
    assertEquals(200, post(a, "login/options", new JsonObject()).statusCode());
    assertRateLimited(post(b, "login/options", new JsonObject()), 10);
    assertRateLimited(post(a, "login/options", new JsonObject()), 10);
  }

  @Test
  void redisDown_limitedCallsAre503_neverAllowed() throws Exception {
    var user = new PasskeyUser(start("trusted_proxies: [127.0.0.1/32]\n"));
    assertEquals(200, post(user, "login/options", new JsonObject()).statusCode());
    redis.stop();
    try {
      var r = post(user, "login/options", new JsonObject());
      assertEquals(503, r.statusCode(), r.body());
      assertEquals("5", r.headers().firstValue("Retry-After").orElse("none"));
      var decided = user.send("GET", "/.stepgate/auth", null, "X-Original-Method", "GET",
          "X-Original-URL", user.base + "/private/x", "X-Forwarded-For", "203.0.113.1", "Accept", "application/json");
      assertEquals(503, decided.statusCode(), decided.body());
      // SPEC section 7: a public route is still answered, anonymously, as on the proxy path.
      assertEquals(200, forwardAuth(user, user.base, "203.0.113.1").statusCode());
    } finally {
      redis.restart();
    }
  }
}
