package dev.stepgate.credential;

import static dev.stepgate.credential.EmbeddedDatabase.nanos;
import static dev.stepgate.credential.EmbeddedDatabase.one;
import static dev.stepgate.credential.EmbeddedDatabase.update;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/** {@link UserStore} on the embedded SQLite file: table {@code users}. */
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
}
