package dev.stepgate.postgres;

import static dev.stepgate.postgres.PostgresDatabase.bytes;
import static dev.stepgate.postgres.PostgresDatabase.isViolation;
import static dev.stepgate.postgres.PostgresDatabase.nanos;

import dev.stepgate.credential.CredentialException;
import dev.stepgate.credential.RecoveryStore;
import io.vertx.core.Future;
import io.vertx.sqlclient.Tuple;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** {@link RecoveryStore} on Postgres: tables {@code recovery_codes}, {@code recovery_links}. */
final class PostgresRecoveryStore implements RecoveryStore {
  private final PostgresDatabase db;

  PostgresRecoveryStore(PostgresDatabase db) {
    this.db = db;
  }

  @Override
  public CompletionStage<Void> replaceCodes(String userId, List<byte[]> codeHashes, Instant at) {
    var hashes = codeHashes.stream().map(byte[]::clone).toList();
    for (var h : hashes)
      if (h.length != 32) return CompletableFuture.failedFuture(new IllegalArgumentException("code hashes must be 32 bytes"));
    var rows = hashes.stream().map(h -> Tuple.of(bytes(h), userId, nanos(at))).toList();
    return db.tx(c -> {
      Future<Void> deleted = c.preparedQuery("DELETE FROM recovery_codes WHERE user_id = $1").execute(Tuple.of(userId)).mapEmpty();
      if (rows.isEmpty()) return deleted;
      return deleted.compose(v -> c.preparedQuery("INSERT INTO recovery_codes (code_hash, user_id, created_at) VALUES ($1, $2, $3)")
              .executeBatch(rows))
          .<Void>mapEmpty()
          .recover(e -> isViolation(e, PostgresDatabase.FOREIGN_KEY_VIOLATION)
              ? Future.failedFuture(new CredentialException("unknown-user", 404, "No such user."))
              : Future.failedFuture(e));
    });
  }

  /**
   * One conditional UPDATE: concurrent spends queue on the row lock and re-check {@code used_at IS
   * NULL} against the committed row, so exactly one succeeds.
   */
  @Override
  public CompletionStage<Boolean> spendCode(String userId, byte[] codeHash, Instant at) {
    var hash = codeHash.clone();
    return db.run("UPDATE recovery_codes SET used_at = $1 WHERE code_hash = $2 AND user_id = $3 AND used_at IS NULL "
            + "RETURNING code_hash", Tuple.of(nanos(at), bytes(hash), userId))
        .thenApply(rows -> PostgresDatabase.one(rows, r -> bytes(r, "code_hash"))
            .filter(found -> MessageDigest.isEqual(found, hash)).isPresent());
  }

  @Override
  public CompletionStage<Integer> unusedCodes(String userId) {
    return db.run("SELECT count(*) AS n FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL", Tuple.of(userId))
        .thenApply(rows -> rows.iterator().next().getLong("n").intValue());
  }

  @Override
  public CompletionStage<Void> createLink(byte[] tokenHash, String userId, Instant expiresAt) {
    if (tokenHash.length != 32)
      return CompletableFuture.failedFuture(new IllegalArgumentException("tokenHash must be a SHA-256 digest"));
    var hash = tokenHash.clone();
    return db.tx(c -> c.preparedQuery("INSERT INTO recovery_links (token_hash, user_id, expires_at) VALUES ($1, $2, $3)")
        .execute(Tuple.of(bytes(hash), userId, nanos(expiresAt)))
        .<Void>mapEmpty()
        .recover(e -> isViolation(e, PostgresDatabase.FOREIGN_KEY_VIOLATION)
            ? Future.failedFuture(new CredentialException("unknown-user", 404, "No such user."))
            : Future.failedFuture(e)));
  }

  @Override
  public CompletionStage<Optional<String>> spendLink(byte[] tokenHash, Instant now) {
    var hash = tokenHash.clone();
    return db.run("UPDATE recovery_links SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL AND expires_at > $1 "
            + "RETURNING token_hash, user_id", Tuple.of(nanos(now), bytes(hash)))
        .thenApply(rows -> PostgresDatabase.one(rows,
            r -> MessageDigest.isEqual(bytes(r, "token_hash"), hash) ? r.getString("user_id") : null));
  }
}
