package dev.stepgate.credential;

import java.util.concurrent.CompletionStage;

/** {@link InstallSecrets} on the embedded SQLite file: table {@code install_secrets}. */
final class EmbeddedInstallSecrets implements InstallSecrets {
  private final EmbeddedDatabase db;

  EmbeddedInstallSecrets(EmbeddedDatabase db) {
    this.db = db;
  }

  @Override
  public CompletionStage<byte[]> getOrCreate(String name, byte[] candidate) {
    var first = candidate.clone();
    return db.tx(c -> {
      EmbeddedDatabase.update(c, "INSERT OR IGNORE INTO install_secrets (name, secret) VALUES (?, ?)", p -> {
        p.setString(1, name);
        p.setBytes(2, first);
      });
      return EmbeddedDatabase.one(c, "SELECT secret FROM install_secrets WHERE name = ?", p -> p.setString(1, name),
          rs -> rs.getBytes("secret")).orElseThrow();
    });
  }
}
