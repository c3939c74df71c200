package dev.stepgate.postgres;

import static dev.stepgate.postgres.PostgresDatabase.instant;
import static dev.stepgate.postgres.PostgresDatabase.nanos;

import dev.stepgate.credential.AuditEvent;
import dev.stepgate.credential.AuditLog;
import io.vertx.sqlclient.Tuple;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/** {@link AuditLog} on Postgres: table {@code audit_events}. */
final class PostgresAuditLog implements AuditLog {
  private final PostgresDatabase db;

  PostgresAuditLog(PostgresDatabase db) {
    this.db = db;
  }

  @Override
  public CompletionStage<Void> record(String kind, Optional<String> userId, String detail) {
    var e = new AuditEvent(kind, userId, detail, db.clock.instant());
    return db.run("INSERT INTO audit_events (at, kind, user_id, detail) VALUES ($1, $2, $3, $4)",
        Tuple.of(nanos(e.at()), e.kind(), e.userId().orElse(null), e.detail())).thenApply(rows -> null);
  }

  @Override
  public CompletionStage<List<AuditEvent>> recent(int limit) {
    return db.run("SELECT * FROM audit_events ORDER BY seq DESC LIMIT $1", Tuple.of((long) Math.max(0, limit)))
        .thenApply(rows -> PostgresDatabase.all(rows, r -> new AuditEvent(r.getString("kind"),
            Optional.ofNullable(r.getString("user_id")), r.getString("detail"), instant(r.getLong("at")))));
  }
}
