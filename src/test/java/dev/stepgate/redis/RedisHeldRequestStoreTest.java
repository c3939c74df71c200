package dev.stepgate.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stepgate.stepup.HeldRequestStore;
import dev.stepgate.stepup.HeldRequestStoreContract;
import java.time.Clock;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The held-request contract on a real Redis, and the bounds shared by two nodes. */
class RedisHeldRequestStoreTest extends HeldRequestStoreContract {
  static RedisNodes redis;

  @BeforeAll
  static void startRedis() {
    redis = new RedisNodes();
  }

  @AfterAll
  static void stopRedis() {
    redis.close();
  }

  @AfterEach
  void reset() {
    redis.reset();
  }

  static RedisBackend.Settings bounds(int perSession, long maxBytes) {
    var d = RedisNodes.settings(RedisBackend.Settings.NEAR_CACHE_TTL);
    return new RedisBackend.Settings(d.idleTimeout(), d.maxLifetime(), d.ceremonyTtl(), perSession, maxBytes,
        d.nearCacheTtl(), d.commandTimeout());
  }

  @Override
  protected HeldRequestStore store(int perSession, long maxBytes) {
    return redis.node(Clock.systemUTC(), bounds(perSession, maxBytes)).held();
  }

  @Test
  void twoNodes_shareThePerSessionBound_andEitherTakesOnce() throws Exception {
    var a = store(2, 1 << 20);
    var b = store(2, 1 << 20);
    var one = hold(a, ALICE, 10);
    hold(b, ALICE, 10);
    assertEquals(java.util.Optional.empty(), await(a.reserve(ALICE, size(0))), "two held, on either node");
    assertEquals(10, await(b.take(one, ALICE)).orElseThrow().body().length);
    assertEquals(java.util.Optional.empty(), await(a.take(one, ALICE)));
    assertTrue(await(a.reserve(ALICE, size(0))).isPresent());
  }

  @Test
  void twoNodes_shareTheByteBoundOfWhatIsHeld() throws Exception {
    long budget = size(100) * 2;
    var a = store(5, budget);
    var b = store(5, budget);
    hold(a, ALICE, 100);
    hold(b, BOB, 100);
    assertEquals(java.util.Optional.empty(), await(a.hold(request("c".repeat(43), 1))), "Redis holds the whole budget");
    assertEquals("1", redis.server.command("EXISTS", "stepgate:hb:total").substring(1));
  }

  @Test
  void redisKeepsTheHashOfTheSession_neverTheId() throws Exception {
    var a = store(2, 1 << 20);
    var id = hold(a, ALICE, 3);
    assertEquals("$43", redis.server.command("HGET", "stepgate:h:" + id, "s"));
    assertEquals(":0", redis.server.command("EXISTS", "stepgate:hs:" + ALICE));
    assertEquals(":1", redis.server.command("EXISTS", "stepgate:hs:" + Keys.hash(ALICE)));
  }
}
