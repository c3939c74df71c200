package dev.stepgate.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stepgate.testing.Gateways;
import dev.stepgate.testing.PasskeyUser;
import dev.stepgate.testing.Readiness;
import dev.stepgate.testing.RedisServer;
import dev.stepgate.testing.TestUpstream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sessions.url: redis-sentinel://…}: the master crashes, Sentinel promotes its replica, and
 * the gateway follows by itself: 503 (never a 500, never a hang, never a pass) while there is no
 * master, then the same session again (it was replicated) and new writes on the new master.
 */
class RedisSentinelFailoverTest {
  static final long BOUND_MS = 3_000;

  @TempDir Path dir;
  RedisServer master;
  RedisServer replica;
  RedisServer sentinel;
  TestUpstream upstream;
  Gateway gateway;
  String base;

  @BeforeEach
  void start() throws Exception {
    // Full syncs start at once (the default waits 5 s for more replicas to share a diskless one).
    master = RedisServer.start(java.util.List.of("--repl-diskless-sync-delay", "0"));
    replica = RedisServer.replicaOf(master);
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (!replica.info("replication").contains("master_link_status:up")) {
      assertTrue(System.nanoTime() < deadline, "the replica syncs");
      Thread.sleep(50);
    }
    sentinel = RedisServer.fastSentinel(master, "main", 1000);
    upstream = new TestUpstream();
    var started = Gateways.withPolicy(upstream.url(), dir, Gateways.ADMIN_DENIED_PRIVATE_SIGNED_IN,
        "sessions: { driver: redis, url: 'redis-sentinel://127.0.0.1:" + sentinel.port() + "/0?master=main' }\n");
    gateway = started.gateway();
    base = started.base();
  }

  @AfterEach
  void stop() throws Exception {
    if (gateway != null) gateway.close();
    if (upstream != null) upstream.close();
    for (var r : new RedisServer[] {sentinel, replica, master}) if (r != null) r.close();
  }

  @Test
  void masterCrashes_sentinelPromotesTheReplica_theGatewayFollowsWithoutARestart() throws Exception {
    var alice = new PasskeyUser(base);
    alice.enroll("alice");
    assertEquals(200, privateGet(alice));
    // The session reached the replica before the crash (replication is asynchronous).
    long synced = System.nanoTime() + 5_000_000_000L;
    while (replica.command("DBSIZE").equals(":0")) {
      assertTrue(System.nanoTime() < synced, "replicated");
      Thread.sleep(20);
    }

    master.stop();
    long t0 = System.nanoTime();
    var seen = new TreeMap<Integer, Integer>();
    long deadline = t0 + 30_000_000_000L;
    int status;
    do {
      long r0 = System.nanoTime();
      status = privateGet(alice);
      long ms = (System.nanoTime() - r0) / 1_000_000;
      assertTrue(ms < BOUND_MS, "answered in " + ms + " ms");
      seen.merge(status, 1, Integer::sum);
      assertTrue(status == 200 || status == 503, "only 503 until there is a master again, then 200: " + seen);
      if (status == 200 && seen.containsKey(503)) break;
      Thread.sleep(50);
    } while (System.nanoTime() < deadline);
    long failoverMs = (System.nanoTime() - t0) / 1_000_000;
    assertEquals(200, status, "the replicated session is honoured after the failover: " + seen);
    assertTrue(seen.containsKey(503), "without a master nothing was vouched for: " + seen);
    assertTrue(replica.info("replication").contains("role:master"), "Sentinel promoted the replica");
    System.out.println("Sentinel failover: the gateway answered 200 again " + failoverMs + " ms after the master crashed " + seen);

    // Writes go to the new master: a new account and its session.
    var bob = new PasskeyUser(base);
    bob.enroll("bob");
    assertEquals(200, privateGet(bob));
    Readiness.await(base, "sessions", "ok", Duration.ofSeconds(5));
  }

  static int privateGet(PasskeyUser user) throws Exception {
    return user.send("GET", "/private/statement", null, "Accept", "application/json").statusCode();
  }

}
