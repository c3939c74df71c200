package dev.stepgate.redis;

import dev.stepgate.config.SessionsEndpoint;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClientOptions;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.ProtocolVersion;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisClientType;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.RedisRole;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * The pooled command connection to Redis (vertx-redis-client), with every bound explicit: a
 * connect timeout, a pool size, how many calls may wait for a connection, and a timeout per
 * command. A command that cannot be answered within its timeout fails with {@link
 * StoreUnavailable} (503 upstream); nothing waits longer. The pool opens new connections by itself
 * when Redis comes back, so nothing needs to be recreated.
 */
final class RedisLink implements AutoCloseable {
  /**
   * Bounds of the connection to Redis.
   *
   * @param commandTimeout how long one command (or script) may take, connection included
   * @param connectTimeout how long a TCP connect may take
   * @param poolSize connections per node
   * @param poolWaiting calls that may wait for a free connection; more fail at once
   */
  record Limits(Duration commandTimeout, Duration connectTimeout, int poolSize, int poolWaiting) {
    static final Limits DEFAULT = new Limits(Duration.ofSeconds(2), Duration.ofSeconds(1), 16, 1024);

    Limits {
      if (commandTimeout.isNegative() || commandTimeout.isZero()) throw new IllegalArgumentException("command timeout must be positive");
      if (connectTimeout.isNegative() || connectTimeout.isZero()) throw new IllegalArgumentException("connect timeout must be positive");
      if (poolSize < 1) throw new IllegalArgumentException("pool size must be positive");
      if (poolWaiting < 1) throw new IllegalArgumentException("pool waiting must be positive");
    }
  }

  private final Redis client;
  private final long timeoutMs;

  RedisLink(Vertx vertx, SessionsEndpoint endpoint, Limits limits) {
    this.client = Redis.createClient(vertx, options(endpoint, limits));
    this.timeoutMs = limits.commandTimeout().toMillis();
  }

  /** The client options for {@code endpoint}: also used for the pub/sub connection. */
  static RedisOptions options(SessionsEndpoint endpoint, Limits limits) {
    var net = new NetClientOptions()
        .setConnectTimeout((int) limits.connectTimeout().toMillis())
        .setTcpKeepAlive(true)
        .setTcpNoDelay(true);
    if (endpoint.tls()) net.setSsl(true).setHostnameVerificationAlgorithm("HTTPS");
    var options = new RedisOptions()
        .setNetClientOptions(net)
        .setMaxPoolSize(limits.poolSize())
        .setMaxPoolWaiting(limits.poolWaiting())
        .setMaxWaitingHandlers(limits.poolWaiting() * 4)
        .setPoolRecycleTimeout(15_000)
        .setPreferredProtocolVersion(ProtocolVersion.RESP3);
    endpoint.user().ifPresent(options::setUser);
    endpoint.password().ifPresent(options::setPassword);
    var scheme = endpoint.tls() ? "rediss://" : "redis://";
    var urls = new ArrayList<String>();
    for (var h : endpoint.hosts()) urls.add(scheme + h + "/" + endpoint.database());
    if (endpoint.sentinel()) {
      options.setType(RedisClientType.SENTINEL).setRole(RedisRole.MASTER).setMasterName(endpoint.master().orElseThrow())
          .setAutoFailover(true).setEndpoints(urls);
    } else {
      options.setType(RedisClientType.STANDALONE).setConnectionString(urls.get(0));
    }
    return options;
  }

  /** Sends one command; fails with {@link StoreUnavailable} after the command timeout. */
  CompletionStage<Response> send(Request request) {
    return bounded(client.send(request));
  }

  /** Runs {@code script} on {@code keys} and {@code args} atomically. */
  CompletionStage<Response> eval(Script script, List<String> keys, List<?> args) {
    var out = new CompletableFuture<Response>();
    var first = client.send(request(Command.EVALSHA, script.sha(), keys, args));
    first.timeout(timeoutMs, TimeUnit.MILLISECONDS).onComplete(ar -> {
      if (ar.succeeded()) {
        out.complete(ar.result());
      } else if (ar.cause().getMessage() != null && ar.cause().getMessage().startsWith("NOSCRIPT")) {
        // Redis restarted (or flushed its scripts): send the text once, which caches it again.
        bounded(client.send(request(Command.EVAL, script.text(), keys, args))).whenComplete((r, e) -> {
          if (e != null) out.completeExceptionally(e);
          else out.complete(r);
        });
      } else {
        out.completeExceptionally(new StoreUnavailable(ar.cause()));
      }
    });
    return out;
  }

  private static Request request(Command command, String script, List<String> keys, List<?> args) {
    var r = Request.cmd(command).arg(script).arg(keys.size());
    for (var k : keys) r.arg(k);
    for (var a : args) {
      if (a instanceof byte[] b) r.arg(b);
      else if (a instanceof Long l) r.arg(l);
      else if (a instanceof Integer i) r.arg(i);
      else r.arg(String.valueOf(a));
    }
    return r;
  }

  private <T> CompletionStage<T> bounded(Future<T> future) {
    var out = new CompletableFuture<T>();
    future.timeout(timeoutMs, TimeUnit.MILLISECONDS).onComplete(ar -> {
      if (ar.succeeded()) out.complete(ar.result());
      else out.completeExceptionally(new StoreUnavailable(ar.cause()));
    });
    return out;
  }

  @Override
  public void close() {
    client.close(); // not waited for: the gateway's Vert.x closes with it
  }
}
