package dev.stepgate.credential;

import static dev.stepgate.credential.EmbeddedDatabase.all;
import static dev.stepgate.credential.EmbeddedDatabase.instant;
import static dev.stepgate.credential.EmbeddedDatabase.nanos;
import static dev.stepgate.credential.EmbeddedDatabase.one;
import static dev.stepgate.credential.EmbeddedDatabase.update;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/** {@link RevocationLog} on the embedded SQLite file: table {@code revocations}. */
final class EmbeddedRevocationLog implements RevocationLog {
  /**
   * How long an entry is kept. Gateways read the record every quarter second; a week covers any
   * gateway that is running at all.
   */
  static final Duration RETENTION = Duration.ofDays(7);

  private final EmbeddedDatabase db;

  EmbeddedRevocationLog(EmbeddedDatabase db) {
    this.db = db;
  }

  @Override
  public CompletionStage<Long> lastSeq() {
    return db.tx(c -> one(c, "SELECT COALESCE(MAX(seq), 0) FROM revocations", p -> {}, rs -> rs.getLong(1)).orElse(0L));
  }

  @Override
  public CompletionStage<List<LoggedRevocation>> after(long seq, int limit) {
    return db.tx(c -> all(c, "SELECT seq, at, kind, user_id, credential_id FROM revocations WHERE seq > ? ORDER BY seq LIMIT ?",
        p -> {
          p.setLong(1, seq);
          p.setInt(2, Math.max(0, Math.min(limit, MAX_BATCH)));
        },
        rs -> {
          var id = rs.getBytes("credential_id");
          return new LoggedRevocation(rs.getLong("seq"), instant(rs.getLong("at")),
              LoggedRevocation.Kind.fromStored(rs.getString("kind")), rs.getString("user_id"),
              id == null ? Optional.empty() : Optional.of(CredentialId.of(id)));
        }));
  }

  /** Appends inside the caller's transaction (the one that revoked); prunes expired entries. */
  static void appendIn(Connection c, Instant now, String userId, Optional<byte[]> credentialId) throws SQLException {
    append(c, now, credentialId.isPresent() ? LoggedRevocation.Kind.CREDENTIAL : LoggedRevocation.Kind.USER, userId, credentialId);
  }

  /** Appends a change of {@code userId}'s groups inside the caller's transaction (the one that changed them). */
  static void appendGroupsChangedIn(Connection c, Instant now, String userId) throws SQLException {
    append(c, now, LoggedRevocation.Kind.GROUPS, userId, Optional.empty());
  }

  private static void append(Connection c, Instant now, LoggedRevocation.Kind kind, String userId, Optional<byte[]> credentialId)
      throws SQLException {
    update(c, "DELETE FROM revocations WHERE at < ?", p -> p.setLong(1, nanos(now.minus(RETENTION))));
    update(c, "INSERT INTO revocations (at, kind, user_id, credential_id) VALUES (?, ?, ?, ?)", p -> {
      p.setLong(1, nanos(now));
      p.setString(2, kind.stored());
      p.setString(3, userId);
      p.setBytes(4, credentialId.orElse(null));
    });
  }
}
