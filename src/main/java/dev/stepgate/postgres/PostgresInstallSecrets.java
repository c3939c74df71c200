package dev.stepgate.postgres;

import static dev.stepgate.postgres.PostgresDatabase.bytes;

import dev.stepgate.credential.InstallSecrets;
import io.vertx.sqlclient.Tuple;
import java.util.concurrent.CompletionStage;

/** {@link InstallSecrets} on Postgres: table {@code install_secrets}, shared by every node. */
final class PostgresInstallSecrets implements InstallSecrets {
  private final PostgresDatabase db;

  PostgresInstallSecrets(PostgresDatabase db) {
    this.db = db;
  }

  @Override
  public CompletionStage<byte[]> getOrCreate(String name, byte[] candidate) {
    // One statement: the insert loses quietly to a row another node committed first, and the
    // union then reads that row (a concurrent insert waits on the unique index, then sees it).
    return db.run("WITH ins AS (INSERT INTO install_secrets (name, secret) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING "
            + "RETURNING secret) SELECT secret FROM ins UNION ALL SELECT secret FROM install_secrets WHERE name = $1 LIMIT 1",
            Tuple.of(name, bytes(candidate.clone())))
        .thenApply(rows -> PostgresDatabase.one(rows, r -> bytes(r, "secret")).orElseThrow());
  }
}
