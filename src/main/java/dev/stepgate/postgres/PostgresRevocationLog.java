package dev.stepgate.postgres;

import static dev.stepgate.postgres.PostgresDatabase.bytes;
import static dev.stepgate.postgres.PostgresDatabase.instant;
import static dev.stepgate.postgres.PostgresDatabase.nanos;

import dev.stepgate.credential.CredentialId;
import dev.stepgate.credential.LoggedRevocation;
import dev.stepgate.credential.RevocationLog;
import io.vertx.core.Future;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/** {@link RevocationLog} on Postgres: table {@code revocations}. */
final class PostgresRevocationLog implements RevocationLog {
  /** How long an entry is kept: as the embedded store (gateways read the record every quarter second). */
  static final Duration RETENTION = Duration.ofDays(7);

  /**
   * The transaction-scoped advisory lock every append takes. Identity values are drawn at insert
   * but become visible at commit; two appends in flight could commit out of order, and a reader
   * that had seen the later one would skip the earlier for good. Serializing appends (revocations
   * are rare) makes commit order the sequence order.
   */
  static final long APPEND_LOCK = 0x7374_6570_7265_7631L;

  private final PostgresDatabase db;

  PostgresRevocationLog(PostgresDatabase db) {
    this.db = db;
  }

  @Override
  public CompletionStage<Long> lastSeq() {
    return db.run("SELECT COALESCE(MAX(seq), 0) AS seq FROM revocations", Tuple.tuple())
        .thenApply(rows -> rows.iterator().next().getLong("seq"));
  }

  @Override
  public CompletionStage<List<LoggedRevocation>> after(long seq, int limit) {
    return db.run("SELECT seq, at, kind, user_id, credential_id FROM revocations WHERE seq > $1 ORDER BY seq LIMIT $2",
            Tuple.of(seq, (long) Math.max(0, Math.min(limit, MAX_BATCH))))
        .thenApply(rows -> PostgresDatabase.all(rows, r -> {
          var id = bytes(r, "credential_id");
          return new LoggedRevocation(r.getLong("seq"), instant(r.getLong("at")),
              LoggedRevocation.Kind.fromStored(r.getString("kind")), r.getString("user_id"),
              id == null ? Optional.empty() : Optional.of(CredentialId.of(id)));
        }));
  }

  /** Appends inside the caller's transaction (the one that revoked); prunes expired entries. */
  static Future<Void> appendIn(SqlClient c, Instant now, String userId, Optional<byte[]> credentialId) {
    return append(c, now, credentialId.isPresent() ? LoggedRevocation.Kind.CREDENTIAL : LoggedRevocation.Kind.USER,
        userId, credentialId);
  }

  /** Appends a change of {@code userId}'s groups inside the caller's transaction (the one that changed them). */
  static Future<Void> appendGroupsChangedIn(SqlClient c, Instant now, String userId) {
    return append(c, now, LoggedRevocation.Kind.GROUPS, userId, Optional.empty());
  }

  private static Future<Void> append(SqlClient c, Instant now, LoggedRevocation.Kind kind, String userId,
      Optional<byte[]> credentialId) {
    return c.preparedQuery("SELECT pg_advisory_xact_lock($1)").execute(Tuple.of(APPEND_LOCK))
        .compose(locked -> c.preparedQuery("DELETE FROM revocations WHERE at < $1")
            .execute(Tuple.of(nanos(now.minus(RETENTION)))))
        .compose(pruned -> c.preparedQuery("INSERT INTO revocations (at, kind, user_id, credential_id) VALUES ($1, $2, $3, $4)")
            .execute(Tuple.of(nanos(now), kind.stored(), userId,
                credentialId.map(PostgresDatabase::bytes).orElse(null))))
        .mapEmpty();
  }
}
