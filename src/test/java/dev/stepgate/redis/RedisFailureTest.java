package dev.stepgate.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.stepgate.Async;
import dev.stepgate.StepgateException;
import dev.stepgate.passkey.Ceremony;
import dev.stepgate.session.Session;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Redis killed, or frozen, mid-traffic: every stage fails with {@code unavailable} (503) within a
 * bound of the command timeout ({@value #BOUND_MS} ms here, with a 1 s command timeout), none
 * hangs, the near cache stops vouching for anything, and once Redis is back the same stores work
 * again by themselves. A server per test: these tests kill it.
 */
class RedisFailureTest {
  static final long BOUND_MS = 3000;
  RedisNodes redis;
  RedisBackend node;

  @BeforeEach
  void start() {
    redis = new RedisNodes();
    node = redis.node(Clock.systemUTC());
  }

  @AfterEach
  void stop() {
    redis.close();
  }

  static Session session(String c) {
    var now = Instant.now();
    return new Session(c.repeat(43), "u1", "ann", now, "AQID", false, true,
        Optional.of(new Session.StepUpRecord(now, "AQID", false, Instant.EPOCH, false, Optional.of("pay"))), now);
  }

  /** Every kind of call the gateway makes, each on its own. */
  Map<String, Supplier<CompletionStage<?>>> calls(Session known) {
    var c = new Ceremony("cer", Ceremony.Kind.LOGIN, "Y2g", Optional.empty(), Optional.empty(), Optional.empty(), false,
        Optional.empty(), Optional.empty(), true, Instant.now().plusSeconds(60));
    var calls = new LinkedHashMap<String, Supplier<CompletionStage<?>>>();
    calls.put("create", () -> node.sessions().create(session("z")));
    calls.put("find", () -> node.sessions().find(known.id()));
    calls.put("consumeStepUp", () -> node.sessions().consumeStepUp(known.id(), "pay", Instant.EPOCH));
    calls.put("rotate", () -> node.sessions().rotateAndRecordStepUp(known.id(), "y".repeat(43), known.stepUp().orElseThrow()));
    calls.put("end", () -> node.sessions().end(known.id()));
    calls.put("endSessionsOf", () -> node.sessions().endSessionsOf("u1"));
    calls.put("ceremony put", () -> node.ceremonies().put(c));
    calls.put("ceremony take", () -> node.ceremonies().take("cer"));
    calls.put("held reserve", () -> node.held().reserve(known.id(), 100));
    calls.put("held take", () -> node.held().take("nope", known.id()));
    return calls;
  }

  /** Starts every call at once; each must fail with {@code unavailable} within {@link #BOUND_MS}. */
  void assertEveryCallFailsPromptly(Session known) {
    long start = System.nanoTime();
    var done = new LinkedHashMap<String, java.util.concurrent.CompletableFuture<Long>>();
    for (var call : calls(known).entrySet()) {
      done.put(call.getKey(), call.getValue().get().toCompletableFuture().handle((r, e) -> {
        if (e == null) throw new AssertionError(call.getKey() + " succeeded without Redis");
        var cause = Async.cause(e);
        if (!(cause instanceof StepgateException s && s.status() == 503 && s.type().equals("unavailable")))
          throw new AssertionError(call.getKey() + ": " + cause);
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      }));
    }
    for (var d : done.entrySet()) {
      try {
        long ms = d.getValue().get(BOUND_MS * 2, TimeUnit.MILLISECONDS);
        assertTrue(ms <= BOUND_MS, d.getKey() + " took " + ms + " ms");
      } catch (ExecutionException e) {
        throw (AssertionError) e.getCause();
      } catch (Exception e) {
        fail(d.getKey() + " hung: " + e);
      }
    }
  }

  /** Retries {@code call} until it succeeds (at most 10 s): recovery needs nothing recreated. */
  static <T> T eventually(Supplier<CompletionStage<T>> call) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (true) {
      try {
        return call.get().toCompletableFuture().get(BOUND_MS, TimeUnit.MILLISECONDS);
      } catch (Exception e) {
        if (System.nanoTime() > deadline) throw new AssertionError("never recovered", e);
        RedisNodes.sleep(50);
      }
    }
  }

  @Test
  void redisKilled_everyStageFailsPromptly_nearCacheStopsVouching_thenRecoversByItself() {
    var s = session("a");
    Async.join(node.sessions().create(s));
    assertTrue(node.sessions().findNow(s.id()).isPresent());
    redis.server.stop();
    RedisTwoNodesTest.within(Duration.ofSeconds(2), () -> node.sessions().findNow(s.id()).isEmpty(),
        "the near cache stops vouching once pub/sub is gone");
    assertEveryCallFailsPromptly(s);
    assertFalse(node.sessions().findNow(s.id()).isPresent());

    redis.server.restart(); // empty: a restarted Redis without persistence lost every session
    var again = session("b");
    eventually(() -> node.sessions().create(again));
    assertEquals(Optional.of(again), eventually(() -> node.sessions().find(again.id())));
    assertTrue(eventually(() -> node.sessions().consumeStepUp(again.id(), "pay", Instant.EPOCH)).isPresent());
    RedisNodes.awaitSubscribed(node, true);
    eventually(() -> node.sessions().find(again.id()));
    assertTrue(node.sessions().findNow(again.id()).isPresent(), "the near cache is in use again");
  }

  @Test
  void redisFrozen_everyStageFailsWithinTheTimeout_thenRecoversWhenItAnswers() {
    var s = session("c");
    Async.join(node.sessions().create(s));
    redis.server.pause();
    try {
      assertEveryCallFailsPromptly(s);
      RedisTwoNodesTest.within(Duration.ofSeconds(3), () -> node.sessions().findNow(s.id()).isEmpty(),
          "an unanswered PING takes the near cache out of use");
    } finally {
      redis.server.resume();
    }
    assertTrue(eventually(() -> node.sessions().find(s.id())).isPresent(), "the session outlived the freeze");
    RedisNodes.awaitSubscribed(node, true);
  }
}
