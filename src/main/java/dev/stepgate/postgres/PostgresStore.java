package dev.stepgate.postgres;

import dev.stepgate.credential.CredentialException;
import dev.stepgate.credential.Storage;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.net.NetClientOptions;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Logger;

/**
 * {@code storage.driver: postgres}: every credential port on one Postgres database, shared by any
 * number of gateway nodes and admin commands. A pool of at most {@link #MAX_POOL_SIZE} connections
 * ({@code vertx-pg-client}, prepared statements cached per connection), at most {@link
 * #MAX_WAIT_QUEUE} calls waiting for one; every call bounded by {@link #QUERY_TIMEOUT} and failing
 * with {@code storage-unavailable} (503) beyond it, or at once when the server refuses connections.
 * The pool opens new connections as calls need them, so the store recovers by itself when the
 * server comes back; a connection silent for {@link #SILENT_CONNECTION} is closed (a hung server's
 * connections are not kept for ever).
 *
 * <p>The store owns a small Vert.x instance ({@link #EVENT_LOOPS} event loop(s)): its I/O never
 * shares the gateway's event loops, it opens and closes the same way for the gateway and the admin
 * command line, and its stages complete on the store's own event loop, as the embedded store's
 * complete on its own threads. Callers therefore must not block in a continuation (they do not:
 * WebAuthn work runs on its own pool, the pages hop back to their context).
 */
public final class PostgresStore implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(PostgresStore.class.getName());

  /** Event loops of the store's own Vert.x: one drives every pooled connection easily. */
  static final int EVENT_LOOPS = 1;
  /** Connections per node: several nodes times this must stay below the server's max_connections. */
  static final int MAX_POOL_SIZE = 8;
  /** Calls that may wait for a connection before new ones are refused (fail closed, 503). */
  static final int MAX_WAIT_QUEUE = 256;
  /** Bound of a TCP (and TLS) connect to the server. */
  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
  /** Bound of one port call, waiting for a connection included. */
  static final Duration QUERY_TIMEOUT = Duration.ofSeconds(3);
  /** Bound of opening: connecting, waiting for another node's migration, migrating. */
  static final Duration OPEN_TIMEOUT = Duration.ofSeconds(30);
  /** An idle pooled connection is closed after this long (a new one is opened when needed). */
  static final Duration IDLE_CONNECTION = Duration.ofSeconds(15);
  /** A connection that has sent and received nothing this long is closed, in use or not. */
  static final Duration SILENT_CONNECTION = Duration.ofSeconds(30);
  /** Bound of closing the pool and the store's Vert.x. */
  static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);

  static final List<String> MIGRATIONS = List.of("V1__init.sql", "V2__revocations.sql", "V3__install_secrets.sql",
      "V4__recovery.sql",
      "V5__user_disabled.sql", "V6__user_groups.sql");

  private final Vertx vertx;
  private final Pool pool;
  private final Storage storage;

  private PostgresStore(Vertx vertx, Pool pool, Clock clock, Duration queryTimeout) {
    this.vertx = vertx;
    this.pool = pool;
    var db = new PostgresDatabase(pool, clock, queryTimeout);
    this.storage = new Storage(new PostgresUserStore(db), new PostgresPasskeyStore(db), new PostgresInviteStore(db),
        new PostgresAuditLog(db), new PostgresRevocationLog(db), new PostgresSigningKeyStore(db), new PostgresInstallSecrets(db), new PostgresRecoveryStore(db),
        () -> db.run("SELECT 1", Tuple.tuple()).thenApply(rows -> (Void) null), this);
  }

  /**
   * Connects to {@code url} ({@code postgresql://user:password@host:port/database?sslmode=require},
   * as {@code PgConnectOptions.fromUri} reads it) and migrates the schema. Blocks while it opens
   * (at most {@link #OPEN_TIMEOUT}): call at start-up, never on an event loop.
   *
   * @throws CredentialException {@code invalid-config} (400) for a URL that cannot be read, {@code
   *     storage-schema-invalid} (500) for a database newer than this build or with edited
   *     migrations, {@code storage-unavailable} (503) when the server cannot be reached
   */
  public static PostgresStore open(String url) {
    return open(url, Clock.systemUTC(), QUERY_TIMEOUT);
  }

  static PostgresStore open(String url, Clock clock, Duration queryTimeout) {
    // Each connection keeps its statements prepared (named, parsed once), so a call is one round trip.
    var connect = connectOptions(url).setCachePreparedStatements(true);
    var vertx = Vertx.builder()
        .with(new VertxOptions().setEventLoopPoolSize(EVENT_LOOPS).setWorkerPoolSize(1).setInternalBlockingPoolSize(1))
        .build();
    var pool = PgBuilder.pool()
        .with(new PoolOptions().setName("stepgate-postgres").setMaxSize(MAX_POOL_SIZE).setMaxWaitQueueSize(MAX_WAIT_QUEUE)
            .setConnectionTimeout((int) queryTimeout.toMillis()).setConnectionTimeoutUnit(TimeUnit.MILLISECONDS)
            // The pool retires its idle connections before the socket's silence bound could close
            // one as it is handed out; that bound then only catches connections stuck on a hung server.
            .setIdleTimeout((int) IDLE_CONNECTION.toSeconds()).setIdleTimeoutUnit(TimeUnit.SECONDS))
        .with(new NetClientOptions().setConnectTimeout((int) CONNECT_TIMEOUT.toMillis()).setTcpKeepAlive(true)
            .setIdleTimeout((int) SILENT_CONNECTION.toSeconds()).setIdleTimeoutUnit(TimeUnit.SECONDS))
        .connectingTo(connect)
        .using(vertx)
        .build();
    try {
      await(new PostgresMigrations("db/postgres", MIGRATIONS).migrate(pool), OPEN_TIMEOUT);
      return new PostgresStore(vertx, pool, clock, queryTimeout);
    } catch (RuntimeException e) {
      closeQuietly(pool, vertx);
      throw e;
    }
  }

  /** The URL as the Postgres client takes it ({@link PostgresUrl}). */
  static PgConnectOptions connectOptions(String url) {
    return PostgresUrl.parse(url);
  }

  /** Every port of this store; closing it closes the store. */
  public Storage storage() {
    return storage;
  }

  /** Closes the pool (calls under way fail with {@code storage-unavailable}) and the store's Vert.x. */
  @Override
  public void close() {
    closeQuietly(pool, vertx);
  }

  private static void closeQuietly(Pool pool, Vertx vertx) {
    for (var step : List.<java.util.function.Supplier<Future<Void>>>of(pool::close, vertx::close)) {
      try {
        await(step.get(), CLOSE_TIMEOUT);
      } catch (RuntimeException e) {
        LOG.warning("closing the Postgres store: " + e.getClass().getSimpleName());
      }
    }
  }

  /** Waits on the caller's thread (start-up and shutdown only); a failure is thrown as a CredentialException or as it is. */
  private static <T> T await(Future<T> future, Duration bound) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(bound.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw CredentialException.unavailable(e);
    } catch (TimeoutException e) {
      throw CredentialException.unavailable(e);
    } catch (ExecutionException e) {
      var cause = e.getCause();
      if (cause instanceof CredentialException c) throw c;
      throw CredentialException.unavailable(cause);
    }
  }
}
