package dev.stepgate.credential;

import static dev.stepgate.credential.EmbeddedDatabase.nanos;
import static dev.stepgate.credential.EmbeddedDatabase.one;
import static dev.stepgate.credential.EmbeddedDatabase.update;

import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** {@link RecoveryStore} on the embedded SQLite file: tables {@code recovery_codes}, {@code recovery_links}. */
final class EmbeddedRecoveryStore implements RecoveryStore {
  private final EmbeddedDatabase db;

  EmbeddedRecoveryStore(EmbeddedDatabase db) {
    this.db = db;
  }

  @Override
  public CompletionStage<Void> replaceCodes(String userId, List<byte[]> codeHashes, Instant at) {
    var hashes = codeHashes.stream().map(byte[]::clone).toList();
    for (var h : hashes)
      if (h.length != 32) return CompletableFuture.failedFuture(new IllegalArgumentException("code hashes must be 32 bytes"));
    return db.tx(c -> {
      update(c, "DELETE FROM recovery_codes WHERE user_id = ?", p -> p.setString(1, userId));
      for (var h : hashes) {
        try {
          update(c, "INSERT INTO recovery_codes (code_hash, user_id, created_at, used_at) VALUES (?, ?, ?, NULL)", p -> {
            p.setBytes(1, h);
            p.setString(2, userId);
            p.setLong(3, nanos(at));
          });
        } catch (SQLException e) {
          if (EmbeddedDatabase.isForeignKeyViolation(e)) throw new CredentialException("unknown-user", 404, "No such user.");
          throw e;
        }
      }
      return null;
    });
  }

  @Override
  public CompletionStage<Boolean> spendCode(String userId, byte[] codeHash, Instant at) {
    var hash = codeHash.clone();
    return db.tx(c -> {
      var found = one(c, "SELECT code_hash FROM recovery_codes WHERE code_hash = ? AND user_id = ? AND used_at IS NULL",
          p -> {
            p.setBytes(1, hash);
            p.setString(2, userId);
          }, rs -> rs.getBytes(1));
      // The index finds the row by a keyed hash; confirm in constant time anyway.
      if (found.isEmpty() || !MessageDigest.isEqual(found.get(), hash)) return false;
      return update(c, "UPDATE recovery_codes SET used_at = ? WHERE code_hash = ? AND used_at IS NULL", p -> {
        p.setLong(1, nanos(at));
        p.setBytes(2, hash);
      }) == 1;
    });
  }

  @Override
  public CompletionStage<Integer> unusedCodes(String userId) {
    return db.tx(c -> unusedIn(c, userId));
  }

  static int unusedIn(Connection c, String userId) throws SQLException {
    return one(c, "SELECT count(*) FROM recovery_codes WHERE user_id = ? AND used_at IS NULL", p -> p.setString(1, userId),
        rs -> rs.getInt(1)).orElse(0);
  }

  @Override
  public CompletionStage<Void> createLink(byte[] tokenHash, String userId, Instant expiresAt) {
    if (tokenHash.length != 32)
      return CompletableFuture.failedFuture(new IllegalArgumentException("tokenHash must be a SHA-256 digest"));
    var hash = tokenHash.clone();
    return db.tx(c -> {
      try {
        update(c, "INSERT INTO recovery_links (token_hash, user_id, expires_at, used_at) VALUES (?, ?, ?, NULL)", p -> {
          p.setBytes(1, hash);
          p.setString(2, userId);
          p.setLong(3, nanos(expiresAt));
        });
      } catch (SQLException e) {
        if (EmbeddedDatabase.isForeignKeyViolation(e)) throw new CredentialException("unknown-user", 404, "No such user.");
        throw e;
      }
      return null;
    });
  }

  @Override
  public CompletionStage<Optional<String>> spendLink(byte[] tokenHash, Instant now) {
    var hash = tokenHash.clone();
    return db.tx(c -> {
      var found = one(c, "SELECT token_hash, user_id FROM recovery_links WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?",
          p -> {
            p.setBytes(1, hash);
            p.setLong(2, nanos(now));
          }, rs -> MessageDigest.isEqual(rs.getBytes(1), hash) ? rs.getString(2) : null);
      if (found.isEmpty()) return Optional.<String>empty();
      var spent = update(c, "UPDATE recovery_links SET used_at = ? WHERE token_hash = ? AND used_at IS NULL", p -> {
        p.setLong(1, nanos(now));
        p.setBytes(2, hash);
      }) == 1;
      return spent ? found : Optional.<String>empty();
    });
  }
}
