package dev.stepgate.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.stepgate.Async;
import dev.stepgate.passkey.Ceremony;
import dev.stepgate.passkey.CeremonyStore;
import dev.stepgate.passkey.CeremonyStoreContract;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The ceremony contract on a real Redis; every field survives the trip, and the key is a hash. */
class RedisCeremonyStoreTest extends CeremonyStoreContract {
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

  @Override
  protected CeremonyStore newStore() {
    return redis.node(Clock.systemUTC()).ceremonies();
  }

  @Test
  void take_returnsEveryField_andTheKeyIsAHashOfTheId() {
    var s = newStore();
    var c = new Ceremony("cer-1", Ceremony.Kind.REGISTRATION, "Y2g", Optional.of("uid"), Optional.of("ann"),
        Optional.of("Ann A"), true, Optional.of("inv"), Optional.of("who"), false, Instant.parse("2030-01-01T00:00:00Z"));
    Async.join(s.put(c));
    assertEquals(":0", redis.server.command("EXISTS", "stepgate:c:cer-1"));
    assertEquals(":1", redis.server.command("EXISTS", "stepgate:c:" + Keys.hash("cer-1")));
    var back = Async.join(s.take("cer-1")).orElseThrow();
    assertEquals(c.toString(), back.toString());
    assertEquals(c, back);
  }
}
