package dev.stepgate.server;

import dev.stepgate.config.GatewayConfig;
import dev.stepgate.credential.CredentialException;
import dev.stepgate.credential.EmbeddedStore;
import dev.stepgate.credential.Storage;
import dev.stepgate.passkey.CeremonyStore;
import dev.stepgate.passkey.MemoryCeremonyStore;
import dev.stepgate.passkey.PasskeySettings;
import dev.stepgate.postgres.PostgresStore;
import dev.stepgate.ratelimit.MemoryRateCounter;
import dev.stepgate.ratelimit.RateCounter;
import dev.stepgate.redis.RedisBackend;
import dev.stepgate.revocation.LocalRevocationBus;
import dev.stepgate.revocation.RevocationBus;
import dev.stepgate.session.MemorySessionStore;
import dev.stepgate.session.SessionStore;
import dev.stepgate.stepup.HeldRequestStore;
import dev.stepgate.stepup.MemoryHeldRequestStore;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The one place that names concrete state backends: the gateway and the admin CLI both open their
 * stores here, so a new backend (Postgres, Redis) is one new case here and one new file beside
 * the port it implements. Everything else sees only the ports.
 */
public final class Backends {
  private Backends() {}

  /**
   * Opens the credential storage {@code storage.driver} names, with every port of it: the
   * embedded file, or Postgres ({@code storage.url}; the store brings its own small Vert.x, so
   * the gateway and the admin commands open it alike). Blocks while it opens (migrations, file
   * checks; Postgres at most 30 s): call at start-up, never on an event loop.
   *
   * @throws dev.stepgate.credential.CredentialException if it cannot be opened
   */
  public static Storage storage(GatewayConfig.Storage config) {
    return switch (config.driver()) {
      case EMBEDDED -> EmbeddedStore.open(config.path(), config.allowSharedPermissions()).storage();
      // The config loader requires the url with this driver; a config built in code without one is refused the same way.
      case POSTGRES -> PostgresStore.open(config.url().orElseThrow(() ->
          new CredentialException("invalid-config", 400, "storage.url: required with storage.driver: postgres"))).storage();
    };
  }

  /**
   * Everything {@code sessions.driver} provides to one gateway: sessions, started ceremonies,
   * held requests, the revocation bus, rate-limit counters. Closing it closes its connections.
   *
   * @param subscribed whether revocations and session ends from other nodes reach this one now
   *     (always true in memory); readiness shows it
   * @param ping one round trip to the session backend (nothing to do in memory); readiness runs it
   */
  record SessionSide(SessionStore sessions, CeremonyStore ceremonies, HeldRequestStore held, RevocationBus revocations,
      RateCounter counters, BooleanSupplier subscribed, Supplier<CompletionStage<Void>> ping, AutoCloseable closer)
      implements AutoCloseable {
    @Override
    public void close() throws Exception {
      closer.close();
    }
  }

  /**
   * Opens the session-side backends {@code sessions.driver} names, on the gateway's {@code
   * vertx}. Redis is not waited for: a node starts while it is down, fails closed (503) until it
   * answers, and recovers by itself.
   */
  static SessionSide sessions(GatewayConfig config, Vertx vertx, Clock clock) {
    var s = config.sessions();
    return switch (s.driver()) {
      case MEMORY -> new SessionSide(new MemorySessionStore(s.idleTimeout(), s.maxLifetime()),
          new MemoryCeremonyStore(PasskeySettings.DEFAULT_CEREMONY_TTL),
          new MemoryHeldRequestStore(config.proxy().heldRequestsPerSession(), config.proxy().heldRequestsMaxBytes()),
          new LocalRevocationBus(), new MemoryRateCounter(clock), () -> true,
          () -> CompletableFuture.completedFuture(null), () -> {});
      case REDIS -> {
        var endpoint = s.url().orElseThrow(() -> new IllegalStateException("sessions.url is required with redis"));
        var redis = RedisBackend.open(vertx, endpoint, new RedisBackend.Settings(s.idleTimeout(), s.maxLifetime(),
            PasskeySettings.DEFAULT_CEREMONY_TTL, config.proxy().heldRequestsPerSession(),
            config.proxy().heldRequestsMaxBytes(), RedisBackend.Settings.NEAR_CACHE_TTL, REDIS_COMMAND_TIMEOUT), clock);
        yield new SessionSide(redis.sessions(), redis.ceremonies(), redis.held(), redis.revocations(), redis.counters(),
            redis::subscribed, redis::ping, redis);
      }
    };
  }

  /** How long one Redis command may take before the stage fails with 503. */
  static final Duration REDIS_COMMAND_TIMEOUT = Duration.ofSeconds(2);
}
