package dev.stepgate.proxy;

import dev.stepgate.config.GatewayConfig;
import io.netty.channel.Channel;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.impl.HttpServerConnection;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Predicate;

/**
 * The public listener's client connections: how many each peer address holds (past {@code
 * proxy.max_connections_per_ip} a new one is closed at once), the deadlines of each HTTP/1.x
 * connection ({@link ClientDeadlines}), and the drain on shutdown.
 *
 * <p>The peer is the socket's address, never a forwarded header: a header is whatever the client
 * says. Peers in {@code trusted_proxies} are not counted, since a load balancer carries many
 * clients on its connections (limit those at the balancer). The table holds one entry per peer
 * with an open connection and drops it with the peer's last connection, so it never outgrows the
 * open connections themselves.
 */
public final class ClientConnections {
  final long headerNanos;
  final long idleNanos;
  final long bodyNanos;
  private final int maxPerPeer;
  private final Predicate<String> exempt;
  private final Map<String, Integer> perPeer = new ConcurrentHashMap<>();
  private final Set<Channel> open = ConcurrentHashMap.newKeySet();
  private final Map<Channel, ClientDeadlines> timed = new ConcurrentHashMap<>();
  private final LongAdder refused = new LongAdder();
  private volatile boolean draining;

  ClientConnections(Duration header, Duration idle, Duration body, int maxPerPeer, Predicate<String> exempt) {
    if (maxPerPeer < 1) throw new IllegalArgumentException("maxPerPeer must be at least 1");
    this.headerNanos = header.toNanos();
    this.idleNanos = idle.toNanos();
    this.bodyNanos = body.toNanos();
    this.maxPerPeer = maxPerPeer;
    this.exempt = exempt;
  }

  /** The connections of the public listener of {@code config}; {@code hygiene} knows the trusted proxies. */
  public static ClientConnections of(GatewayConfig config, HeaderHygiene hygiene) {
    var p = config.proxy();
    return new ClientConnections(p.headerTimeout(), p.idleTimeout(), p.bodyTimeout(), p.maxConnectionsPerIp(),
        hygiene::trusted);
  }

  /**
   * Takes in a new connection, first thing in the server's connection handler (on the event loop,
   * before its first read): closes it at once, before a byte is read, when its peer holds too many
   * or the gateway is shutting down, else counts it until it closes. Returns whether it was kept.
   */
  public boolean admit(HttpConnection connection) {
    var ch = channel(connection);
    if (draining) {
      ch.close();
      return false;
    }
    var peer = connection.remoteAddress() != null && connection.remoteAddress().hostAddress() != null
        ? connection.remoteAddress().hostAddress() : "unknown";
    if (!exempt.test(peer)) {
      if (!take(peer)) {
        refused.increment();
        ch.close(); // the cheapest answer to a flood
        return false;
      }
      ch.closeFuture().addListener(f -> giveBack(peer));
    }
    open.add(ch);
    ch.closeFuture().addListener(f -> {
      open.remove(ch);
      timed.remove(ch);
    });
    return true;
  }

  /**
   * Puts the deadlines of an HTTP/1.x {@code connection} in front of the relay and Vert.x's
   * request handler (an HTTP/2 connection is left to Vert.x). Must run after the relay's install.
   */
  public void time(HttpConnection connection) {
    var ch = channel(connection);
    var pipeline = ch.pipeline();
    if (pipeline.get(RelayLane.DECODER) == null || !ch.isActive()) return;
    var deadlines = new ClientDeadlines(this);
    timed.put(ch, deadlines);
    if (pipeline.get(RelayLane.NAME) != null) pipeline.addBefore(RelayLane.NAME, ClientDeadlines.NAME, deadlines);
    else pipeline.addBefore(RelayLane.VERTX_HANDLER, ClientDeadlines.NAME, deadlines);
  }

  private static Channel channel(HttpConnection connection) {
    if (!(connection instanceof HttpServerConnection internal)) {
      connection.close(); // fail closed if Vert.x internals ever change shape
      throw new IllegalStateException("cannot reach the Netty pipeline of " + connection.getClass().getName());
    }
    return internal.channelHandlerContext().channel();
  }

  /** Counts one more connection of {@code peer}; false (and nothing counted) when it holds the most allowed. */
  boolean take(String peer) {
    var taken = new boolean[1];
    perPeer.compute(peer, (k, n) -> {
      int now = n == null ? 0 : n;
      if (now >= maxPerPeer) return n;
      taken[0] = true;
      return now + 1;
    });
    return taken[0];
  }

  void giveBack(String peer) {
    perPeer.computeIfPresent(peer, (k, n) -> n <= 1 ? null : n - 1);
  }

  /**
   * Starts the shutdown: no connection is taken in any more; HTTP/1.x connections between
   * requests close now, the others after the response they owe, which says {@code Connection:
   * close}. (HTTP/2 connections are Vert.x's to drain.)
   */
  public void drain() {
    draining = true;
    timed.forEach((ch, d) -> ch.eventLoop().execute(d::drain));
  }

  /** Closes every connection still open, mid-request or not (the end of the shutdown grace). */
  public void closeAll() {
    timed.forEach((ch, d) -> ch.eventLoop().execute(d::force));
    for (var ch : open) ch.close();
  }

  /** Connections open now. */
  public int open() {
    return open.size();
  }

  /** Peers holding a connection now (the size of the per-peer table). */
  int peers() {
    return perPeer.size();
  }

  /** Connections closed at once because their peer held too many. */
  public long refused() {
    return refused.sum();
  }

  /** Waits until every connection has closed or {@code deadlineNanos} (nanoTime) passed; true when all closed. */
  public boolean awaitClosed(long deadlineNanos) {
    while (!open.isEmpty()) {
      if (System.nanoTime() >= deadlineNanos) return false;
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return true;
  }
}
