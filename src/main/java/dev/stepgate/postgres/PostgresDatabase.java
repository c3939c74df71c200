package dev.stepgate.postgres;

import dev.stepgate.credential.CredentialException;
import dev.stepgate.credential.StoredCredential;
import dev.stepgate.credential.User;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The Postgres store's pool and the plumbing its ports share: every port call is one prepared
 * statement or one transaction on the pool, bounded as a whole by {@link #timeout} (waiting for a
 * connection included). A call the server does not answer in time, a refused connection, a full
 * wait queue or a closed pool fails with {@code storage-unavailable} (503); a refusal the port
 * documents ({@code username-taken}, ...) passes through as it is.
 */
final class PostgresDatabase {
  /** SQLSTATE unique_violation. */
  static final String UNIQUE_VIOLATION = "23505";
  /** SQLSTATE foreign_key_violation. */
  static final String FOREIGN_KEY_VIOLATION = "23503";

  private final Pool pool;
  final Clock clock;
  private final Duration timeout;

  PostgresDatabase(Pool pool, Clock clock, Duration timeout) {
    this.pool = pool;
    this.clock = clock;
    this.timeout = timeout;
  }

  /** One statement, outside a transaction (it is atomic alone). */
  CompletionStage<RowSet<Row>> run(String sql, Tuple args) {
    return bounded(pool.preparedQuery(sql).execute(args));
  }

  /**
   * One transaction: committed when {@code work}'s future succeeds, rolled back when it fails
   * (its failure is the stage's, so a port can refuse by failing it).
   */
  <T> CompletionStage<T> tx(Function<SqlConnection, Future<T>> work) {
    return bounded(pool.withTransaction(work));
  }

  /**
   * The stage of {@code f}, failed with {@code storage-unavailable} if it has not completed within
   * the timeout. The work it stands for is not cancelled (the protocol cannot take back a sent
   * statement): a late commit may still land, which every port tolerates (a write reported as
   * failed never grants anything).
   */
  private <T> CompletionStage<T> bounded(Future<T> f) {
    return f.timeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .recover(err -> Future.failedFuture(err instanceof CredentialException c ? c : CredentialException.unavailable(err)))
        .toCompletionStage();
  }

  static boolean isViolation(Throwable t, String sqlState) {
    return t instanceof PgException p && sqlState.equals(p.getSqlState());
  }

  static <T> List<T> all(RowSet<Row> rows, Function<Row, T> map) {
    var out = new ArrayList<T>(rows.size());
    for (var r : rows) out.add(map.apply(r));
    return out;
  }

  static <T> Optional<T> one(RowSet<Row> rows, Function<Row, T> map) {
    var it = rows.iterator();
    return it.hasNext() ? Optional.ofNullable(map.apply(it.next())) : Optional.empty();
  }

  static Buffer bytes(byte[] b) {
    return Buffer.buffer(b);
  }

  static byte[] bytes(Row r, String column) {
    var b = r.getBuffer(column);
    return b == null ? null : b.getBytes();
  }

  static User user(Row r) {
    return new User(r.getString("id"), r.getString("username"), r.getString("display_name"), instant(r.getLong("created_at")),
        r.getBoolean("disabled"));
  }

  static StoredCredential credential(Row r) {
    return new StoredCredential(bytes(r, "id"), r.getString("user_id"), bytes(r, "attested_data"), r.getLong("sign_count"),
        r.getBoolean("uv_initialized"), r.getBoolean("backup_eligible"), r.getBoolean("backup_state"),
        Set.of(r.getArrayOfStrings("transports")), r.getString("label"), instant(r.getLong("created_at")),
        optionalInstant(r, "last_used_at"), r.getUUID("aaguid"));
  }

  static Optional<Instant> optionalInstant(Row r, String column) {
    var v = r.getLong(column);
    return v == null ? Optional.empty() : Optional.of(instant(v));
  }

  /** Nanoseconds since the epoch, as the embedded store keeps times (exact, unlike timestamptz). */
  static long nanos(Instant i) {
    return Math.addExact(Math.multiplyExact(i.getEpochSecond(), 1_000_000_000L), i.getNano());
  }

  static Instant instant(long nanos) {
    return Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L));
  }
}
