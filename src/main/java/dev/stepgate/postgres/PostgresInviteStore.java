package dev.stepgate.postgres;

import static dev.stepgate.postgres.PostgresDatabase.bytes;
import static dev.stepgate.postgres.PostgresDatabase.nanos;

import dev.stepgate.credential.InviteStore;
import io.vertx.core.Future;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** {@link InviteStore} on Postgres: table {@code invites}. */
final class PostgresInviteStore implements InviteStore {
  private final PostgresDatabase db;

  PostgresInviteStore(PostgresDatabase db) {
    this.db = db;
  }

  @Override
  public CompletionStage<Void> create(byte[] tokenHash, String username, Instant expiresAt) {
    if (tokenHash.length != 32)
      return CompletableFuture.failedFuture(new IllegalArgumentException("tokenHash must be a SHA-256 digest"));
    return db.run("INSERT INTO invites (token_hash, username, expires_at) VALUES ($1, $2, $3)",
        Tuple.of(bytes(tokenHash.clone()), username, nanos(expiresAt))).thenApply(rows -> null);
  }

  @Override
  public CompletionStage<Optional<String>> find(byte[] tokenHash, Instant now) {
    var hash = tokenHash.clone();
    return db.run("SELECT token_hash, username FROM invites WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2",
            Tuple.of(bytes(hash), nanos(now)))
        // The index finds the row by a hash of a 256-bit secret; confirm in constant time anyway.
        .thenApply(rows -> PostgresDatabase.one(rows,
            r -> MessageDigest.isEqual(bytes(r, "token_hash"), hash) ? r.getString("username") : null));
  }

  @Override
  public CompletionStage<Boolean> consume(byte[] tokenHash, String username, Instant now) {
    var hash = tokenHash.clone();
    return db.tx(c -> consumeIn(c, hash, username, now));
  }

  /**
   * Spends the invite in one conditional UPDATE: concurrent consumers queue on the row lock and
   * re-check {@code used_at IS NULL} against the committed row, so exactly one succeeds.
   */
  static Future<Boolean> consumeIn(SqlClient c, byte[] tokenHash, String username, Instant now) {
    return c.preparedQuery("UPDATE invites SET used_at = $1 WHERE token_hash = $2 AND username = $3 "
            + "AND used_at IS NULL AND expires_at > $1 RETURNING token_hash")
        .execute(Tuple.of(nanos(now), bytes(tokenHash), username))
        .map(rows -> PostgresDatabase.one(rows, r -> bytes(r, "token_hash"))
            .filter(found -> MessageDigest.isEqual(found, tokenHash)).isPresent());
  }
}
