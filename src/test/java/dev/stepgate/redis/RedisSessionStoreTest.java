package dev.stepgate.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stepgate.session.Session;
import dev.stepgate.session.SessionStore;
import dev.stepgate.session.SessionStoreContract;
import dev.stepgate.testing.RedisServer;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The session contract on a real Redis, and what only a shared store must add. */
class RedisSessionStoreTest extends SessionStoreContract {
  static RedisNodes redis;
  RedisBackend node;
  dev.stepgate.testing.TestClock clock;

  @BeforeAll
  static void startRedis() {
    redis = new RedisNodes();
  }

  @AfterAll
  static void stopRedis() {
    redis.close();
  }

  @BeforeEach
  void openNode() {
    clock = new dev.stepgate.testing.TestClock(NOW);
    node = redis.node(clock);
  }

  @Override
  protected void advance(java.time.Duration d) {
    clock.advance(d);
  }

  @AfterEach
  void reset() {
    redis.reset();
  }

  @Override
  protected SessionStore store() {
    return node.sessions();
  }

  static <T> T get(java.util.concurrent.CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  static Session session(String id, String user) {
    return new Session(id.repeat(43).substring(0, 43), user, "ann", NOW, "c1", false, true, Optional.empty(), NOW);
  }

  @Test
  void keys_areHashesOfTheSessionId_neverTheIdItself() throws Exception {
    var s = session("k", "u1");
    get(store().create(s));
    assertEquals("0", redis.server.command("EXISTS", "stepgate:s:" + s.id()).substring(1));
    assertEquals("1", redis.server.command("EXISTS", "stepgate:s:" + Keys.hash(s.id())).substring(1));
  }

  @Test
  void sessionStoredBeforeDevicesWereKept_readsAsUnknown_andIsListed() throws Exception {
    var s = session("o", "u1").withDevice(new Session.Device("Windows", "Edge"));
    get(store().create(s));
    var key = "stepgate:s:" + Keys.hash(s.id());
    assertEquals(":1", redis.server.command("HEXISTS", key, "dp"), "kept as the field dp");
    redis.server.command("HDEL", key, "dp", "db", "ls");
    var found = get(store().find(s.id())).orElseThrow();
    assertEquals(Session.Device.UNKNOWN, found.device());
    assertEquals(NOW, found.lastSeenAt());
    var listed = get(store().ofUser("u1"));
    assertEquals(1, listed.size());
    assertEquals(dev.stepgate.audit.AuditEntry.sessionHash(s.id()), listed.get(0).handle());
  }

  @Test
  void find_setsTheIdleTimeout_cutToTheAbsoluteLifetime() throws Exception {
    var s = session("t", "u1");
    get(store().create(s));
    long ttl = Long.parseLong(redis.server.command("PTTL", "stepgate:s:" + Keys.hash(s.id())).substring(1));
    assertTrue(ttl > 29 * 60_000 && ttl <= 30 * 60_000, "idle timeout: " + ttl);
    // A session 11h59m old has one minute left, whatever the idle timeout says.
    var old = new RedisSessionStore(redisLinkOf(node), node.nearCache(), "n", java.time.Duration.ofMinutes(30),
        java.time.Duration.ofHours(12), Clock.fixed(NOW.plusSeconds(12 * 3600 - 60), ZoneOffset.UTC));
    assertTrue(get(old.find(s.id())).isPresent());
    ttl = Long.parseLong(redis.server.command("PTTL", "stepgate:s:" + Keys.hash(s.id())).substring(1));
    assertTrue(ttl > 50_000 && ttl <= 60_000, "what is left of the lifetime: " + ttl);
    var expired = new RedisSessionStore(redisLinkOf(node), node.nearCache(), "n", java.time.Duration.ofMinutes(30),
        java.time.Duration.ofHours(12), Clock.fixed(NOW.plusSeconds(12 * 3600), ZoneOffset.UTC));
    assertEquals(Optional.empty(), get(expired.find(s.id())));
    assertEquals(Optional.empty(), get(old.find(s.id())), "an expired session is deleted when found");
  }

  @Test
  void index_followsRotationAndEnds() throws Exception {
    var a = session("a", "u1");
    var b = session("b", "u1");
    get(store().create(a));
    get(store().create(b));
    var rs = node.sessionStore();
    assertEquals(2, get(rs.indexedSessionsOf("u1")));
    get(store().rotateAndRecordStepUp(a.id(), "r".repeat(43), new Session.StepUpRecord(NOW, "c1", false, NOW, false, Optional.empty())));
    assertEquals(2, get(rs.indexedSessionsOf("u1")));
    get(store().end(b.id()));
    assertEquals(1, get(rs.indexedSessionsOf("u1")));
    get(store().endSessionsOf("u1"));
    assertEquals(0, get(rs.indexedSessionsOf("u1")));
  }

  @Test
  void findNow_missesUntilThisNodeReadTheSession() throws Exception {
    var s = session("m", "u1");
    var other = redis.node(Clock.fixed(NOW, ZoneOffset.UTC));
    get(other.sessions().create(s));
    assertFalse(store().findNow(s.id()).isPresent(), "made on another node: not known here yet");
    assertEquals(Optional.of(s), get(store().find(s.id())));
    assertEquals(Optional.of(s), store().findNow(s.id()));
  }

  static RedisLink redisLinkOf(RedisBackend node) {
    return node.link();
  }

  static RedisServer server() {
    return redis.server;
  }
}
