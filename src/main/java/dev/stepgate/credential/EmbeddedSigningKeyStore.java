package dev.stepgate.credential;

import static dev.stepgate.credential.EmbeddedDatabase.instant;
import static dev.stepgate.credential.EmbeddedDatabase.nanos;
import static dev.stepgate.credential.EmbeddedDatabase.update;

import dev.stepgate.identity.SigningKeyStore;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletionStage;

/** {@link SigningKeyStore} on the embedded SQLite file: table {@code signing_keys}. */
final class EmbeddedSigningKeyStore implements SigningKeyStore {
  private final EmbeddedDatabase db;

  EmbeddedSigningKeyStore(EmbeddedDatabase db) {
    this.db = db;
  }

  @Override
  public CompletionStage<List<StoredSigningKey>> all() {
    return db.tx(c -> EmbeddedDatabase.all(c, "SELECT * FROM signing_keys ORDER BY created_at DESC, kid", p -> {},
        rs -> new StoredSigningKey(rs.getString("kid"), rs.getString("private_jwk"), instant(rs.getLong("created_at")),
            EmbeddedDatabase.optionalInstant(rs, "retired_at"))));
  }

  @Override
  public CompletionStage<Void> add(StoredSigningKey key) {
    return db.tx(c -> {
      try {
        update(c, "INSERT INTO signing_keys VALUES (?, ?, ?, ?)", p -> {
          p.setString(1, key.kid());
          p.setString(2, key.privateJwk());
          p.setLong(3, nanos(key.createdAt()));
          if (key.retiredAt().isPresent()) p.setLong(4, nanos(key.retiredAt().get()));
          else p.setNull(4, java.sql.Types.INTEGER);
        });
        return null;
      } catch (SQLException e) {
        if (EmbeddedDatabase.isUniqueViolation(e)) throw new CredentialException("key-exists", 409, "A signing key with this id exists.");
        throw e;
      }
    });
  }

  @Override
  public CompletionStage<Void> retire(String kid, Instant retiredAt) {
    return db.tx(c -> {
      update(c, "UPDATE signing_keys SET retired_at = ? WHERE kid = ? AND retired_at IS NULL", p -> {
        p.setLong(1, nanos(retiredAt));
        p.setString(2, kid);
      });
      return null;
    });
  }

  @Override
  public CompletionStage<Integer> dropRetiredBefore(Instant before) {
    return db.tx(c -> update(c, "DELETE FROM signing_keys WHERE retired_at IS NOT NULL AND retired_at < ?",
        p -> p.setLong(1, nanos(before))));
  }
}
