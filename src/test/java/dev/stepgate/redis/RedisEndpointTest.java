package dev.stepgate.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stepgate.Async;
import dev.stepgate.StepgateException;
import dev.stepgate.config.SessionsEndpoint;
import dev.stepgate.session.Session;
import dev.stepgate.testing.RedisServer;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The URL forms of {@code sessions.url} against real servers: a password, and Sentinel. */
class RedisEndpointTest {
  Vertx vertx = Vertx.vertx();
  RedisBackend node;

  @AfterEach
  void close() throws Exception {
    if (node != null) node.close();
    vertx.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
  }

  static Session session() {
    var now = Instant.now();
    return new Session("p".repeat(43), "u1", "ann", now, "AQID", false, true, Optional.empty(), now);
  }

  RedisBackend open(String url) {
    node = RedisBackend.open(vertx, SessionsEndpoint.parse(url), RedisNodes.settings(RedisBackend.Settings.NEAR_CACHE_TTL),
        Clock.systemUTC());
    return node;
  }

  @Test
  void password_inTheUrl_isSentWithAuth() {
    try (var redis = RedisServer.start(List.of("--requirepass", "s3cr/et"))) {
      var n = open("redis://:s3cr%2Fet@127.0.0.1:" + redis.port() + "/2");
      Async.join(n.sessions().create(session()));
      assertEquals(Optional.of(session().id()), Async.join(n.sessions().find(session().id())).map(Session::id));
      assertTrue(redis.command("DBSIZE").equals(":0"), "database 2 was used, not 0");
      RedisNodes.awaitSubscribed(n, true);
    }
  }

  @Test
  void wrongPassword_failsClosedWith503() throws Exception {
    try (var redis = RedisServer.start(List.of("--requirepass", "right"))) {
      var n = open("redis://:wrong@127.0.0.1:" + redis.port() + "/0");
      var e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
          () -> n.sessions().find(session().id()).toCompletableFuture().get(5, TimeUnit.SECONDS));
      var cause = Async.cause(e);
      assertTrue(cause instanceof StepgateException s && s.status() == 503, cause.toString());
      assertTrue(!cause.getMessage().contains("wrong"), "the password never shows: " + cause.getMessage());
      assertEquals(false, n.subscribed());
    }
  }

  @Test
  void sentinel_findsTheMaster() {
    try (var master = RedisServer.start(); var sentinel = RedisServer.sentinel(master, "main")) {
      var n = open("redis-sentinel://127.0.0.1:" + sentinel.port() + "/0?master=main");
      Async.join(n.sessions().create(session()));
      assertTrue(Async.join(n.sessions().find(session().id())).isPresent());
      assertEquals(":1", master.command("EXISTS", Keys.SESSION + Keys.hash(session().id())), "kept on the master");
      RedisNodes.awaitSubscribed(n, true);
    }
  }
}
