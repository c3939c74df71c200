package dev.stepgate.postgres;

import static dev.stepgate.postgres.PostgresDatabase.nanos;

import dev.stepgate.credential.CredentialException;
import dev.stepgate.credential.User;
import dev.stepgate.credential.UserStore;
import io.vertx.core.Future;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/** {@link UserStore} on Postgres: table {@code users}. */
final class PostgresUserStore implements UserStore {
  private final PostgresDatabase db;

  PostgresUserStore(PostgresDatabase db) {
    this.db = db;
  }

  @Override
  public CompletionStage<Void> create(User user) {
    return db.tx(c -> insert(c, user));
  }

  @Override
  public CompletionStage<Optional<User>> byUsername(String username) {
    return db.run("SELECT * FROM users WHERE username = $1", Tuple.of(username))
        .thenApply(rows -> PostgresDatabase.one(rows, PostgresDatabase::user));
  }

  @Override
  public CompletionStage<Optional<User>> byId(String userId) {
    return db.run("SELECT * FROM users WHERE id = $1", Tuple.of(userId))
        .thenApply(rows -> PostgresDatabase.one(rows, PostgresDatabase::user));
  }

  @Override
  public CompletionStage<List<User>> all() {
    // COLLATE "C": by code point, as the embedded store (SQLite's BINARY) sorts, whatever the database's locale.
    return db.run("SELECT * FROM users ORDER BY username COLLATE \"C\"", Tuple.tuple())
        .thenApply(rows -> PostgresDatabase.all(rows, PostgresDatabase::user));
  }

  @Override
  public CompletionStage<Boolean> setDisabled(String userId, boolean disabled) {
    // Same transaction: the flag and the end of every session are one fact.
    return db.tx(c -> c.preparedQuery("UPDATE users SET disabled = $1 WHERE id = $2")
        .execute(Tuple.of(disabled, userId))
        .compose(rows -> rows.rowCount() != 1 ? Future.succeededFuture(false)
            : disabled ? PostgresRevocationLog.appendIn(c, db.clock.instant(), userId, Optional.empty()).map(true)
            : Future.succeededFuture(true)));
  }

  static Future<Optional<User>> byIdIn(SqlClient c, String id) {
    return c.preparedQuery("SELECT * FROM users WHERE id = $1").execute(Tuple.of(id))
        .map(rows -> PostgresDatabase.one(rows, PostgresDatabase::user));
  }

  static Future<Void> insert(SqlClient c, User u) {
    return c.preparedQuery("INSERT INTO users (id, username, display_name, created_at, disabled) VALUES ($1, $2, $3, $4, $5)")
        .execute(Tuple.of(u.id(), u.username(), u.displayName(), nanos(u.createdAt()), u.disabled()))
        .<Void>mapEmpty()
        .recover(e -> Future.failedFuture(PostgresDatabase.isViolation(e, PostgresDatabase.UNIQUE_VIOLATION)
            ? CredentialException.usernameTaken() : e));
  }
}
