package dev.stepgate.redis;

import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * This node's one pub/sub connection, separate from the command pool. Pub/sub is at-most-once:
 * while the connection is down, messages are lost. So whenever it is lost (closed, reset, or a
 * {@code PING} not answered within the timeout) and again once it is subscribed anew, every
 * {@linkplain #onResync resync listener} runs: the near caches flush, and stay unused while
 * {@link #live} is false. It reconnects by itself with backoff ({@link #MIN_BACKOFF} doubling up
 * to {@link #MAX_BACKOFF}).
 */
final class RedisSubscriber implements AutoCloseable {
  static final Duration MIN_BACKOFF = Duration.ofMillis(50);
  static final Duration MAX_BACKOFF = Duration.ofSeconds(2);
  private static final Logger LOG = Logger.getLogger(RedisSubscriber.class.getName());

  private final Vertx vertx;
  private final Redis client;
  private final long pingMs;
  private final long timeoutMs;
  private final Map<String, List<Consumer<String>>> channels = new ConcurrentHashMap<>();
  private final List<Runnable> resync = new CopyOnWriteArrayList<>();
  private volatile RedisConnection current;
  private volatile boolean live;
  private volatile boolean closed;
  private boolean started;
  private boolean warned;
  private long backoffMs = MIN_BACKOFF.toMillis();
  private long pingTimer = -1;

  /**
   * @param ping how often the connection is checked with {@code PING}
   * @param timeout how long subscribing or a {@code PING} may take before the connection counts as lost
   */
  RedisSubscriber(Vertx vertx, RedisOptions options, Duration ping, Duration timeout) {
    this.vertx = vertx;
    this.client = Redis.createClient(vertx, new RedisOptions(options).setMaxPoolSize(4).setMaxPoolWaiting(4));
    this.pingMs = ping.toMillis();
    this.timeoutMs = timeout.toMillis();
  }

  /** Hands every message on {@code channel} to {@code handler} (on an event loop: it must be quick). Before {@link #start}. */
  synchronized void on(String channel, Consumer<String> handler) {
    if (started) throw new IllegalStateException("subscribe before start");
    channels.computeIfAbsent(channel, c -> new CopyOnWriteArrayList<>()).add(handler);
  }

  /** Runs {@code listener} whenever messages may have been lost: at each loss and each new subscription. */
  void onResync(Runnable listener) {
    resync.add(listener);
  }

  /** Whether messages are being received now; while false, nothing may be served from a near cache. */
  boolean live() {
    return live;
  }

  synchronized void start() {
    if (started) return;
    started = true;
    connect();
    pingTimer = vertx.setPeriodic(pingMs, id -> ping());
  }

  private void connect() {
    if (closed) return;
    // A connect to a frozen server may answer long after its timeout: that late connection is
    // closed, never leaked (it would hold a slot of this client's pool for good).
    var settled = new AtomicBoolean();
    long timer = vertx.setTimer(timeoutMs, t -> {
      if (settled.compareAndSet(false, true)) retry(new java.util.concurrent.TimeoutException("connect"));
    });
    client.connect().onComplete(ar -> {
      if (!settled.compareAndSet(false, true)) {
        if (ar.succeeded()) ar.result().close();
        return;
      }
      vertx.cancelTimer(timer);
      if (ar.failed()) {
        retry(ar.cause());
        return;
      }
      var conn = ar.result();
      if (closed) {
        conn.close();
        return;
      }
      conn.handler(this::receive);
      // An ended connection is closed already (closing it again trips the client's own assertion).
      conn.exceptionHandler(e -> lost(conn, e, false));
      conn.endHandler(v -> lost(conn, null, false));
      var subscribe = Request.cmd(Command.SUBSCRIBE);
      channels.keySet().forEach(subscribe::arg);
      conn.send(subscribe).timeout(timeoutMs, TimeUnit.MILLISECONDS).onComplete(s -> {
        if (s.failed()) {
          conn.close();
          retry(s.cause());
          return;
        }
        current = conn;
        backoffMs = MIN_BACKOFF.toMillis();
        if (warned) LOG.info("redis pub/sub: subscribed again; near caches flushed");
        warned = false;
        resync(); // what was cached before may have missed messages sent while not subscribed
        live = true;
      });
    });
  }

  private void receive(Response r) {
    // RESP3 push (or RESP2 array): ["message", channel, payload]; subscription replies are ignored.
    if (r == null || r.size() < 3 || !"message".equals(String.valueOf(r.get(0)))) return;
    var handlers = channels.get(r.get(1).toString());
    if (handlers == null) return;
    var payload = r.get(2).toString();
    for (var h : handlers) {
      try {
        h.accept(payload);
      } catch (RuntimeException e) {
        LOG.warning("redis pub/sub handler failed: " + e.getClass().getSimpleName());
      }
    }
  }

  private void ping() {
    var conn = current;
    if (conn == null || closed) return;
    conn.send(Request.cmd(Command.PING)).timeout(timeoutMs, TimeUnit.MILLISECONDS)
        .onFailure(e -> lost(conn, e, true));
  }

  private void lost(RedisConnection conn, Throwable cause, boolean close) {
    synchronized (this) {
      if (current != conn) return; // already handled (end and exception both fire)
      current = null;
      live = false;
    }
    resync();
    if (close) conn.close();
    retry(cause);
  }

  private void retry(Throwable cause) {
    if (closed) return;
    live = false;
    if (!warned) {
      LOG.warning("redis pub/sub: not subscribed (" + (cause == null ? "connection closed" : cause.getClass().getSimpleName())
          + "); near caches unused until it is; retrying");
      warned = true;
    }
    long delay = backoffMs;
    backoffMs = Math.min(backoffMs * 2, MAX_BACKOFF.toMillis());
    vertx.setTimer(delay, id -> connect());
  }

  private void resync() {
    for (var r : resync) {
      try {
        r.run();
      } catch (RuntimeException e) {
        LOG.warning("redis pub/sub resync listener failed: " + e.getClass().getSimpleName());
      }
    }
  }

  @Override
  public void close() {
    closed = true;
    live = false;
    if (pingTimer >= 0) vertx.cancelTimer(pingTimer);
    var conn = current;
    current = null;
    if (conn != null) conn.close();
    client.close();
    resync();
  }
}
