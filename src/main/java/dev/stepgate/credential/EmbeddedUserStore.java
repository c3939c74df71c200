package dev.stepgate.credential;

import static dev.stepgate.credential.EmbeddedDatabase.nanos;
import static dev.stepgate.credential.EmbeddedDatabase.one;
import static dev.stepgate.credential.EmbeddedDatabase.update;

import dev.stepgate.GroupNames;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** {@link UserStore} on the embedded SQLite file: tables {@code users} and {@code user_groups}. */
final class EmbeddedUserStore implements UserStore {
  private final EmbeddedDatabase db;

  EmbeddedUserStore(EmbeddedDatabase db) {
    this.db = db;
  }

  @Override
  public CompletionStage<Void> create(User user) {
    return db.tx(c -> {
      insert(c, user);
      return null;
    });
  }

  @Override
  public CompletionStage<Optional<User>> byUsername(String username) {
    return db.tx(c -> one(c, "SELECT * FROM users WHERE username = ?", p -> p.setString(1, username), EmbeddedDatabase::user));
  }

  @Override
  public CompletionStage<Optional<User>> byId(String userId) {
    return db.tx(c -> byIdIn(c, userId));
  }

  @Override
  public CompletionStage<List<User>> all() {
    return db.tx(c -> EmbeddedDatabase.all(c, "SELECT * FROM users ORDER BY username", p -> {}, EmbeddedDatabase::user));
  }

  @Override
  public CompletionStage<Boolean> setDisabled(String userId, boolean disabled) {
    return db.tx(c -> {
      boolean found = update(c, "UPDATE users SET disabled = ? WHERE id = ?", p -> {
        p.setInt(1, disabled ? 1 : 0);
        p.setString(2, userId);
      }) == 1;
      // Same transaction: the flag and the end of every session are one fact.
      if (found && disabled) EmbeddedRevocationLog.appendIn(c, db.clock.instant(), userId, Optional.empty());
      return found;
    });
  }

  static Optional<User> byIdIn(Connection c, String id) throws SQLException {
    return one(c, "SELECT * FROM users WHERE id = ?", p -> p.setString(1, id), EmbeddedDatabase::user);
  }

  static void insert(Connection c, User u) throws SQLException {
    try (var p = c.prepareStatement("INSERT INTO users (id, username, display_name, created_at, disabled) VALUES (?, ?, ?, ?, ?)")) {
      p.setString(1, u.id());
      p.setString(2, u.username());
      p.setString(3, u.displayName());
      p.setLong(4, nanos(u.createdAt()));
      p.setInt(5, u.disabled() ? 1 : 0);
      p.executeUpdate();
    } catch (SQLException e) {
      if (EmbeddedDatabase.isUniqueViolation(e)) throw CredentialException.usernameTaken();
      throw e;
    }
  }

  @Override
  public CompletionStage<Set<String>> groups(String userId) {
    return db.tx(c -> Collections.unmodifiableSet(new LinkedHashSet<>(EmbeddedDatabase.all(c,
        "SELECT group_name FROM user_groups WHERE user_id = ? ORDER BY group_name", p -> p.setString(1, userId),
        rs -> rs.getString(1)))));
  }

  @Override
  public CompletionStage<Boolean> addGroup(String userId, String group) {
    var bad = GroupNames.problem(group);
    if (bad.isPresent()) return CompletableFuture.failedFuture(CredentialException.groupInvalid(bad.get()));
    return db.tx(c -> {
      if (byIdIn(c, userId).isEmpty()) throw CredentialException.unknownUser();
      if (isMember(c, userId, group)) return false;
      // SQLite has one writer: if another process changed the groups since these reads, this
      // transaction cannot commit (busy), so the bound holds across processes too.
      long count = one(c, "SELECT COUNT(*) FROM user_groups WHERE user_id = ?", p -> p.setString(1, userId),
          rs -> rs.getLong(1)).orElse(0L);
      if (count >= GroupNames.MAX_PER_USER) throw CredentialException.tooManyGroups();
      update(c, "INSERT INTO user_groups (user_id, group_name, created_at) VALUES (?, ?, ?)", p -> {
        p.setString(1, userId);
        p.setString(2, group);
        p.setLong(3, nanos(db.clock.instant()));
      });
      // Same transaction: the membership and the notice to running gateways are one fact.
      EmbeddedRevocationLog.appendGroupsChangedIn(c, db.clock.instant(), userId);
      return true;
    });
  }

  @Override
  public CompletionStage<Boolean> removeGroup(String userId, String group) {
    var bad = GroupNames.problem(group);
    if (bad.isPresent()) return CompletableFuture.failedFuture(CredentialException.groupInvalid(bad.get()));
    return db.tx(c -> {
      if (byIdIn(c, userId).isEmpty()) throw CredentialException.unknownUser();
      boolean removed = update(c, "DELETE FROM user_groups WHERE user_id = ? AND group_name = ?", p -> {
        p.setString(1, userId);
        p.setString(2, group);
      }) == 1;
      if (removed) EmbeddedRevocationLog.appendGroupsChangedIn(c, db.clock.instant(), userId);
      return removed;
    });
  }

  private static boolean isMember(Connection c, String userId, String group) throws SQLException {
    return one(c, "SELECT 1 FROM user_groups WHERE user_id = ? AND group_name = ?", p -> {
      p.setString(1, userId);
      p.setString(2, group);
    }, rs -> true).isPresent();
  }
}
