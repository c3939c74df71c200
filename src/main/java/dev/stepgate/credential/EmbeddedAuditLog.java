package dev.stepgate.credential;

import static dev.stepgate.credential.EmbeddedDatabase.all;
import static dev.stepgate.credential.EmbeddedDatabase.instant;
import static dev.stepgate.credential.EmbeddedDatabase.nanos;
import static dev.stepgate.credential.EmbeddedDatabase.update;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/** {@link AuditLog} on the embedded SQLite file: table {@code audit_events}. */
final class EmbeddedAuditLog implements AuditLog {
  private final EmbeddedDatabase db;

  EmbeddedAuditLog(EmbeddedDatabase db) {
    this.db = db;
  }

  @Override
  public CompletionStage<Void> record(String kind, Optional<String> userId, String detail) {
    var e = new AuditEvent(kind, userId, detail, db.clock.instant());
    return db.tx(c -> {
      update(c, "INSERT INTO audit_events (at, kind, user_id, detail) VALUES (?, ?, ?, ?)", p -> {
        p.setLong(1, nanos(e.at()));
        p.setString(2, e.kind());
        p.setString(3, e.userId().orElse(null));
        p.setString(4, e.detail());
      });
      return null;
    });
  }

  @Override
  public CompletionStage<List<AuditEvent>> recent(int limit) {
    return db.tx(c -> all(c, "SELECT * FROM audit_events ORDER BY seq DESC LIMIT ?", p -> p.setInt(1, limit),
        rs -> new AuditEvent(rs.getString("kind"), Optional.ofNullable(rs.getString("user_id")),
            rs.getString("detail"), instant(rs.getLong("at")))));
  }
}
