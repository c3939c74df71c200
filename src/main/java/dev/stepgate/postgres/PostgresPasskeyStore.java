package dev.stepgate.postgres;

import static dev.stepgate.postgres.PostgresDatabase.bytes;
import static dev.stepgate.postgres.PostgresDatabase.isViolation;
import static dev.stepgate.postgres.PostgresDatabase.nanos;

import dev.stepgate.Async;
import dev.stepgate.credential.CredentialException;
import dev.stepgate.credential.Enrollment;
import dev.stepgate.credential.PasskeyStore;
import dev.stepgate.credential.StoredCredential;
import dev.stepgate.credential.User;
import io.vertx.core.Future;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.CompletionStage;

/** {@link PasskeyStore} on Postgres: table {@code credentials}. */
final class PostgresPasskeyStore implements PasskeyStore {
  private final PostgresDatabase db;

  PostgresPasskeyStore(PostgresDatabase db) {
    this.db = db;
  }

  @Override
  public CompletionStage<Void> enroll(Enrollment e, Instant now) {
    return db.tx(c -> {
      Future<Void> userWritten = e.newUser().isPresent() ? PostgresUserStore.insert(c, e.newUser().get()) : Future.succeededFuture();
      return userWritten.compose(v -> {
        if (e.inviteTokenHash().isEmpty()) return Future.<Void>succeededFuture();
        Future<Optional<User>> owner = e.newUser().isPresent() ? Future.succeededFuture(e.newUser())
            : PostgresUserStore.byIdIn(c, e.credential().userId());
        return owner.compose(found -> {
          if (found.isEmpty()) return Future.failedFuture(CredentialException.inviteInvalid());
          return PostgresInviteStore.consumeIn(c, e.inviteTokenHash().get(), found.get().username(), now)
              .compose(spent -> spent ? Future.<Void>succeededFuture() : Future.failedFuture(CredentialException.inviteInvalid()));
        });
      }).compose(v -> insert(c, e.credential()));
    });
  }

  @Override
  public CompletionStage<Void> add(StoredCredential credential) {
    return db.tx(c -> insert(c, credential));
  }

  /**
   * WebAuthn L3 §7.1 step 26: a known credential id is refused, whoever owns it. The primary key
   * decides (also between two racing registrations); the violation becomes {@code credential-exists}.
   */
  private static Future<Void> insert(SqlClient c, StoredCredential k) {
    var args = Tuple.tuple()
        .addValue(bytes(k.credentialId()))
        .addValue(k.userId())
        .addValue(bytes(k.attestedCredentialData()))
        .addValue(k.signCount())
        .addValue(k.uvInitialized())
        .addValue(k.backupEligible())
        .addValue(k.backupState())
        .addValue(new TreeSet<>(k.transports()).toArray(String[]::new))
        .addValue(k.label())
        .addValue(nanos(k.createdAt()))
        .addValue(k.lastUsedAt().map(PostgresDatabase::nanos).orElse(null))
        .addValue(k.aaguid());
    return c.preparedQuery("INSERT INTO credentials (id, user_id, attested_data, sign_count, uv_initialized, "
            + "backup_eligible, backup_state, transports, label, created_at, last_used_at, aaguid) "
            + "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)")
        .execute(args)
        .<Void>mapEmpty()
        .recover(e -> {
          if (isViolation(e, PostgresDatabase.UNIQUE_VIOLATION)) return Future.failedFuture(CredentialException.credentialExists());
          if (isViolation(e, PostgresDatabase.FOREIGN_KEY_VIOLATION))
            return Future.failedFuture(new CredentialException("unknown-user", 404, "No such user."));
          return Future.failedFuture(e);
        });
  }

  @Override
  public CompletionStage<Optional<StoredCredential>> find(byte[] credentialId) {
    return db.run("SELECT * FROM credentials WHERE id = $1", Tuple.of(bytes(credentialId.clone())))
        .thenApply(rows -> PostgresDatabase.one(rows, PostgresDatabase::credential));
  }

  @Override
  public CompletionStage<List<StoredCredential>> ofUser(String userId) {
    return db.run("SELECT * FROM credentials WHERE user_id = $1 ORDER BY created_at, id", Tuple.of(userId))
        .thenApply(rows -> PostgresDatabase.all(rows, PostgresDatabase::credential));
  }

  @Override
  public CompletionStage<Boolean> recordAssertion(byte[] credentialId, long signCount, boolean backupState,
      boolean userVerified, Instant at) {
    // WebAuthn L3 §7.2 step 22: the counter must grow unless both are zero; checked again here
    // inside the write (racing writers queue on the row lock and re-check the committed row), so
    // that two racing assertions cannot both pass.
    return db.run("UPDATE credentials SET sign_count = $1, backup_state = $2, "
            + "uv_initialized = uv_initialized OR $3, last_used_at = $4 "
            + "WHERE id = $5 AND (sign_count < $1 OR (sign_count = 0 AND $1 = 0)) "
            + "AND (backup_eligible OR NOT $2)",
        Tuple.of(signCount, backupState, userVerified, nanos(at), bytes(credentialId.clone())))
        .thenApply(rows -> rows.rowCount() == 1);
  }

  @Override
  public CompletionStage<Boolean> revoke(String userId, byte[] credentialId) {
    var id = credentialId.clone();
    return db.tx(c -> c.preparedQuery("DELETE FROM credentials WHERE user_id = $1 AND id = $2")
        .execute(Tuple.of(userId, bytes(id)))
        .compose(rows -> rows.rowCount() == 1
            ? PostgresRevocationLog.appendIn(c, db.clock.instant(), userId, Optional.of(id)).map(true)
            : Future.succeededFuture(false)));
  }

  @Override
  public CompletionStage<Boolean> rename(String userId, byte[] credentialId, String label) {
    var id = credentialId.clone();
    return Async.attempt(() -> db.run("UPDATE credentials SET label = $1 WHERE user_id = $2 AND id = $3",
            Tuple.of(PasskeyStore.checkedLabel(label), userId, bytes(id)))
        .thenApply(rows -> rows.rowCount() == 1));
  }
}
