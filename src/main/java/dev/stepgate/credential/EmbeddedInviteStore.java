package dev.stepgate.credential;

import static dev.stepgate.credential.EmbeddedDatabase.nanos;
import static dev.stepgate.credential.EmbeddedDatabase.one;
import static dev.stepgate.credential.EmbeddedDatabase.update;

import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** {@link InviteStore} on the embedded SQLite file: table {@code invites}. */
final class EmbeddedInviteStore implements InviteStore {
  private final EmbeddedDatabase db;

  EmbeddedInviteStore(EmbeddedDatabase db) {
    this.db = db;
  }

  @Override
  public CompletionStage<Void> create(byte[] tokenHash, String username, Instant expiresAt) {
    if (tokenHash.length != 32)
      return CompletableFuture.failedFuture(new IllegalArgumentException("tokenHash must be a SHA-256 digest"));
    var hash = tokenHash.clone();
    return db.tx(c -> {
      update(c, "INSERT INTO invites VALUES (?, ?, ?, NULL)", p -> {
        p.setBytes(1, hash);
        p.setString(2, username);
        p.setLong(3, nanos(expiresAt));
      });
      return null;
    });
  }

  @Override
  public CompletionStage<Optional<String>> find(byte[] tokenHash, Instant now) {
    var hash = tokenHash.clone();
    return db.tx(c -> one(c, "SELECT token_hash, username FROM invites WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?",
        p -> {
          p.setBytes(1, hash);
          p.setLong(2, nanos(now));
        },
        // The index finds the row by a hash of a 256-bit secret; confirm in constant time anyway.
        rs -> MessageDigest.isEqual(rs.getBytes(1), hash) ? rs.getString(2) : null));
  }

  @Override
  public CompletionStage<Boolean> consume(byte[] tokenHash, String username, Instant now) {
    var hash = tokenHash.clone();
    return db.tx(c -> consumeIn(c, hash, username, now));
  }

  static boolean consumeIn(Connection c, byte[] tokenHash, String username, Instant now) throws SQLException {
    var found = one(c, "SELECT token_hash FROM invites WHERE token_hash = ? AND username = ? AND used_at IS NULL AND expires_at > ?",
        p -> {
          p.setBytes(1, tokenHash);
          p.setString(2, username);
          p.setLong(3, nanos(now));
        }, rs -> rs.getBytes(1));
    if (found.isEmpty() || !MessageDigest.isEqual(found.get(), tokenHash)) return false;
    return update(c, "UPDATE invites SET used_at = ? WHERE token_hash = ? AND used_at IS NULL", p -> {
      p.setLong(1, nanos(now));
      p.setBytes(2, tokenHash);
    }) == 1;
  }
}
