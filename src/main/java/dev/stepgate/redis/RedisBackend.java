package dev.stepgate.redis;

import dev.stepgate.Async;
import dev.stepgate.config.SessionsEndpoint;
import dev.stepgate.passkey.CeremonyStore;
import dev.stepgate.ratelimit.RateCounter;
import dev.stepgate.revocation.RevocationBus;
import dev.stepgate.session.SessionStore;
import dev.stepgate.stepup.HeldRequestStore;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import java.time.Clock;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletionStage;

/**
 * Everything {@code sessions.driver: redis} provides, on one Vert.x: a pooled command link, one
 * pub/sub connection, the near cache, and the stores built on them. The one entry point the
 * wiring ({@code server.Backends}) uses. Opening does not wait for Redis: a node starts while
 * Redis is down, fails closed until it answers, and recovers by itself.
 */
public final class RedisBackend implements AutoCloseable {
  /**
   * @param idleTimeout a session unused this long ends
   * @param maxLifetime no session lives longer than this
   * @param ceremonyTtl how long a started ceremony waits
   * @param heldPerSession held requests per session (cluster-wide)
   * @param heldMaxBytes held-request bytes: bodies being read on this node, and everything held
   *     in Redis by all nodes together
   * @param nearCacheTtl how long a session stays in this node's near cache after it was read
   * @param commandTimeout how long one Redis command may take
   */
  public record Settings(Duration idleTimeout, Duration maxLifetime, Duration ceremonyTtl, int heldPerSession,
      long heldMaxBytes, Duration nearCacheTtl, Duration commandTimeout) {
    /**
     * Near-cache entries live 500 ms: the pub/sub invalidation normally removes them at once, and
     * should a message be lost, a revoked session is still gone everywhere within the 1 s of SPEC
     * section 7 (500 ms plus a read), at the cost of one Redis read per session and half-second.
     */
    public static final Duration NEAR_CACHE_TTL = Duration.ofMillis(500);
  }

  /** How many sessions one node's near cache holds at most. */
  static final long NEAR_CACHE_SIZE = 100_000;

  private final RedisLink link;
  private final RedisSubscriber subscriber;
  private final NearCache near;
  private final RedisSessionStore sessions;
  private final RedisCeremonyStore ceremonies;
  private final RedisRevocationBus revocations;
  private final RedisHeldRequestStore held;
  private final RedisRateCounter counters;

  private RedisBackend(Vertx vertx, SessionsEndpoint endpoint, Settings settings, Clock clock) {
    var limits = new RedisLink.Limits(settings.commandTimeout(), RedisLink.Limits.DEFAULT.connectTimeout(),
        RedisLink.Limits.DEFAULT.poolSize(), RedisLink.Limits.DEFAULT.poolWaiting());
    var node = UUID.randomUUID().toString();
    this.link = new RedisLink(vertx, endpoint, limits);
    this.subscriber = new RedisSubscriber(vertx, RedisLink.options(endpoint, limits), Duration.ofSeconds(1),
        settings.commandTimeout());
    this.near = new NearCache(settings.nearCacheTtl(), NEAR_CACHE_SIZE, subscriber::live);
    this.sessions = new RedisSessionStore(link, near, node, settings.idleTimeout(), settings.maxLifetime(), clock);
    this.ceremonies = new RedisCeremonyStore(link, settings.ceremonyTtl());
    this.revocations = new RedisRevocationBus(link, node);
    this.held = new RedisHeldRequestStore(link, settings.heldPerSession(), settings.heldMaxBytes(), clock);
    this.counters = new RedisRateCounter(link, clock);
    subscriber.on(Keys.SESSIONS_CHANNEL, sessions::onInvalidation);
    subscriber.on(Keys.REVOCATIONS_CHANNEL, revocations::onMessage);
    subscriber.onResync(near::flush);
    subscriber.start();
  }

  /** Opens the backend on {@code vertx}; returns at once (connections are made in the background). */
  public static RedisBackend open(Vertx vertx, SessionsEndpoint endpoint, Settings settings, Clock clock) {
    return new RedisBackend(vertx, endpoint, settings, clock);
  }

  public SessionStore sessions() {
    return sessions;
  }

  public CeremonyStore ceremonies() {
    return ceremonies;
  }

  public HeldRequestStore held() {
    return held;
  }

  /** Rate-limit counters shared by every node. */
  public RateCounter counters() {
    return counters;
  }

  /** Revocations across nodes (pub/sub), delivered here at once. */
  public RevocationBus revocations() {
    return revocations;
  }

  /** Whether this node receives other nodes' invalidations now (readiness shows it). */
  public boolean subscribed() {
    return subscriber.live();
  }

  /**
   * One {@code PING} on the command pool the stores use: completes when Redis answered, fails
   * with {@link StoreUnavailable} when it could not (within the command timeout). Readiness runs
   * it every second.
   */
  public CompletionStage<Void> ping() {
    return link.send(Request.cmd(Command.PING)).thenApply(r -> (Void) null);
  }

  RedisLink link() {
    return link;
  }

  NearCache nearCache() {
    return near;
  }

  RedisSessionStore sessionStore() {
    return sessions;
  }

  static String causeName(Throwable e) {
    var c = Async.cause(e);
    return (c.getCause() != null ? c.getCause() : c).getClass().getSimpleName();
  }

  @Override
  public void close() {
    subscriber.close();
    link.close();
  }
}
