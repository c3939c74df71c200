package dev.stepgate.postgres;

import static dev.stepgate.postgres.PostgresDatabase.instant;
import static dev.stepgate.postgres.PostgresDatabase.nanos;

import dev.stepgate.credential.CredentialException;
import dev.stepgate.identity.SigningKeyStore;
import io.vertx.core.Future;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletionStage;

/** {@link SigningKeyStore} on Postgres: table {@code signing_keys}, shared by every node. */
final class PostgresSigningKeyStore implements SigningKeyStore {
  private final PostgresDatabase db;

  PostgresSigningKeyStore(PostgresDatabase db) {
    this.db = db;
  }

  @Override
  public CompletionStage<List<StoredSigningKey>> all() {
    return db.run("SELECT * FROM signing_keys ORDER BY created_at DESC, kid COLLATE \"C\"", Tuple.tuple())
        .thenApply(rows -> PostgresDatabase.all(rows, r -> new StoredSigningKey(r.getString("kid"),
            r.getString("private_jwk"), instant(r.getLong("created_at")), PostgresDatabase.optionalInstant(r, "retired_at"))));
  }

  @Override
  public CompletionStage<Void> add(StoredSigningKey key) {
    return db.tx(c -> c.preparedQuery("INSERT INTO signing_keys (kid, private_jwk, created_at, retired_at) VALUES ($1, $2, $3, $4)")
        .execute(Tuple.of(key.kid(), key.privateJwk(), nanos(key.createdAt()), key.retiredAt().map(PostgresDatabase::nanos).orElse(null)))
        .<Void>mapEmpty()
        .recover(e -> Future.failedFuture(PostgresDatabase.isViolation(e, PostgresDatabase.UNIQUE_VIOLATION)
            ? new CredentialException("key-exists", 409, "A signing key with this id exists.") : e)));
  }

  @Override
  public CompletionStage<Void> retire(String kid, Instant retiredAt) {
    return db.run("UPDATE signing_keys SET retired_at = $1 WHERE kid = $2 AND retired_at IS NULL",
        Tuple.of(nanos(retiredAt), kid)).thenApply(rows -> null);
  }

  @Override
  public CompletionStage<Integer> dropRetiredBefore(Instant before) {
    return db.run("DELETE FROM signing_keys WHERE retired_at IS NOT NULL AND retired_at < $1", Tuple.of(nanos(before)))
        .thenApply(rows -> rows.rowCount());
  }
}
