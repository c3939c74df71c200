package dev.stepgate.redis;

import dev.stepgate.config.SessionsEndpoint;
import dev.stepgate.testing.RedisServer;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real Redis and the "nodes" a test opens on it: each node is a {@link RedisBackend} with its
 * own Vert.x, connections and near cache, as two gateway processes would have. {@link #close}
 * stops every node and then the server.
 */
final class RedisNodes implements AutoCloseable {
  static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(1);

  final RedisServer server = RedisServer.start();
  private final List<Vertx> vertxes = new ArrayList<>();
  private final List<RedisBackend> nodes = new ArrayList<>();

  static RedisBackend.Settings settings(Duration nearCacheTtl) {
    return new RedisBackend.Settings(Duration.ofMinutes(30), Duration.ofHours(12), Duration.ofMinutes(5), 3, 1 << 20,
        nearCacheTtl, COMMAND_TIMEOUT);
  }

  RedisBackend node(Clock clock) {
    return node(clock, settings(RedisBackend.Settings.NEAR_CACHE_TTL));
  }

  /** A new node, once its pub/sub subscription is live (at most 5 s). */
  RedisBackend node(Clock clock, RedisBackend.Settings settings) {
    var vertx = Vertx.vertx();
    vertxes.add(vertx);
    var node = RedisBackend.open(vertx, SessionsEndpoint.parse(server.url()), settings, clock);
    nodes.add(node);
    awaitSubscribed(node, true);
    return node;
  }

  static void awaitSubscribed(RedisBackend node, boolean subscribed) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (node.subscribed() != subscribed) {
      if (System.nanoTime() > deadline) throw new AssertionError("pub/sub never became " + (subscribed ? "live" : "down"));
      sleep(5);
    }
  }

  static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted");
    }
  }

  /** Closes every node opened so far and empties Redis (between tests). */
  void reset() {
    closeNodes();
    server.flushAll();
  }

  private void closeNodes() {
    for (var n : nodes) n.close();
    nodes.clear();
    for (var v : vertxes) {
      try {
        v.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
      } catch (Exception e) {
        // bounded: a Vert.x that does not close in 5 s is left to the JVM's exit
      }
    }
    vertxes.clear();
  }

  @Override
  public void close() {
    closeNodes();
    server.close();
  }
}
