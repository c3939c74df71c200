package dev.stepgate.postgres;

import static dev.stepgate.postgres.PostgresDatabase.nanos;

import dev.stepgate.GroupNames;
import dev.stepgate.credential.CredentialException;
import dev.stepgate.credential.User;
import dev.stepgate.credential.UserStore;
import io.vertx.core.Future;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** {@link UserStore} on Postgres: tables {@code users} and {@code user_groups}. */
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

  @Override
  public CompletionStage<Set<String>> groups(String userId) {
    return db.run("SELECT group_name FROM user_groups WHERE user_id = $1 ORDER BY group_name COLLATE \"C\"", Tuple.of(userId))
        .thenApply(rows -> Collections.unmodifiableSet(new LinkedHashSet<>(PostgresDatabase.all(rows, r -> r.getString(0)))));
  }

  @Override
  public CompletionStage<Boolean> addGroup(String userId, String group) {
    var bad = GroupNames.problem(group);
    if (bad.isPresent()) return CompletableFuture.failedFuture(CredentialException.groupInvalid(bad.get()));
    return db.tx(c -> lockUser(c, userId)
        .compose(locked -> c.preparedQuery("SELECT COUNT(*) AS n, COUNT(*) FILTER (WHERE group_name = $2) AS member "
            + "FROM user_groups WHERE user_id = $1").execute(Tuple.of(userId, group)))
        .compose(rows -> {
          var r = rows.iterator().next();
          if (r.getLong("member") > 0) return Future.succeededFuture(false);
          if (r.getLong("n") >= GroupNames.MAX_PER_USER) return Future.failedFuture(CredentialException.tooManyGroups());
          return c.preparedQuery("INSERT INTO user_groups (user_id, group_name, created_at) VALUES ($1, $2, $3)")
              .execute(Tuple.of(userId, group, nanos(db.clock.instant())))
              // Same transaction: the membership and the notice to running gateways are one fact.
              .compose(inserted -> PostgresRevocationLog.appendGroupsChangedIn(c, db.clock.instant(), userId))
              .map(true);
        }));
  }

  @Override
  public CompletionStage<Boolean> removeGroup(String userId, String group) {
    var bad = GroupNames.problem(group);
    if (bad.isPresent()) return CompletableFuture.failedFuture(CredentialException.groupInvalid(bad.get()));
    return db.tx(c -> lockUser(c, userId)
        .compose(locked -> c.preparedQuery("DELETE FROM user_groups WHERE user_id = $1 AND group_name = $2")
            .execute(Tuple.of(userId, group)))
        .compose(rows -> rows.rowCount() != 1 ? Future.succeededFuture(false)
            : PostgresRevocationLog.appendGroupsChangedIn(c, db.clock.instant(), userId).map(true)));
  }

  /**
   * Locks the user's row for this transaction, so concurrent membership changes of one user are
   * serialized (the {@link GroupNames#MAX_PER_USER} count cannot be raced past); fails with
   * {@code unknown-user} when there is none.
   */
  private static Future<Void> lockUser(SqlClient c, String userId) {
    return c.preparedQuery("SELECT id FROM users WHERE id = $1 FOR UPDATE").execute(Tuple.of(userId))
        .compose(rows -> rows.size() == 1 ? Future.<Void>succeededFuture() : Future.failedFuture(CredentialException.unknownUser()));
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
