package dev.stepgate.credential;

import static dev.stepgate.credential.EmbeddedDatabase.all;
import static dev.stepgate.credential.EmbeddedDatabase.nanos;
import static dev.stepgate.credential.EmbeddedDatabase.one;
import static dev.stepgate.credential.EmbeddedDatabase.update;

import dev.stepgate.Async;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.CompletionStage;

/** {@link PasskeyStore} on the embedded SQLite file: table {@code credentials}. */
final class EmbeddedPasskeyStore implements PasskeyStore {
  private final EmbeddedDatabase db;

  EmbeddedPasskeyStore(EmbeddedDatabase db) {
    this.db = db;
  }

  @Override
  public CompletionStage<Void> enroll(Enrollment e, Instant now) {
    return db.tx(c -> {
      if (e.newUser().isPresent()) EmbeddedUserStore.insert(c, e.newUser().get());
      if (e.inviteTokenHash().isPresent()) {
        var owner = e.newUser().isPresent() ? e.newUser() : EmbeddedUserStore.byIdIn(c, e.credential().userId());
        var username = owner.map(User::username).orElseThrow(CredentialException::inviteInvalid);
        if (!EmbeddedInviteStore.consumeIn(c, e.inviteTokenHash().get(), username, now))
          throw CredentialException.inviteInvalid();
      }
      insert(c, e.credential());
      return null;
    });
  }

  @Override
  public CompletionStage<Void> add(StoredCredential credential) {
    return db.tx(c -> {
      insert(c, credential);
      return null;
    });
  }

  private static void insert(Connection c, StoredCredential k) throws SQLException {
    // WebAuthn L3 §7.1 step 26: a known credential id is refused, whoever owns it.
    if (one(c, "SELECT 1 FROM credentials WHERE id = ?", p -> p.setBytes(1, k.credentialId()), rs -> 1).isPresent())
      throw CredentialException.credentialExists();
    try (var p = c.prepareStatement("INSERT INTO credentials VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
      p.setBytes(1, k.credentialId());
      p.setString(2, k.userId());
      p.setBytes(3, k.attestedCredentialData());
      p.setLong(4, k.signCount());
      p.setInt(5, k.uvInitialized() ? 1 : 0);
      p.setInt(6, k.backupEligible() ? 1 : 0);
      p.setInt(7, k.backupState() ? 1 : 0);
      p.setString(8, String.join(",", new TreeSet<>(k.transports())));
      p.setString(9, k.label());
      p.setLong(10, nanos(k.createdAt()));
      if (k.lastUsedAt().isPresent()) p.setLong(11, nanos(k.lastUsedAt().get()));
      else p.setNull(11, java.sql.Types.INTEGER);
      p.setString(12, k.aaguid().toString());
      p.executeUpdate();
    } catch (SQLException e) {
      if (EmbeddedDatabase.isUniqueViolation(e)) throw CredentialException.credentialExists();
      if (EmbeddedDatabase.isForeignKeyViolation(e)) throw new CredentialException("unknown-user", 404, "No such user.");
      throw e;
    }
  }

  @Override
  public CompletionStage<Optional<StoredCredential>> find(byte[] credentialId) {
    var id = credentialId.clone();
    return db.tx(c -> one(c, "SELECT * FROM credentials WHERE id = ?", p -> p.setBytes(1, id), EmbeddedDatabase::credential));
  }

  @Override
  public CompletionStage<List<StoredCredential>> ofUser(String userId) {
    return db.tx(c -> all(c, "SELECT * FROM credentials WHERE user_id = ? ORDER BY created_at, id",
        p -> p.setString(1, userId), EmbeddedDatabase::credential));
  }

  @Override
  public CompletionStage<Boolean> recordAssertion(byte[] credentialId, long signCount, boolean backupState,
      boolean userVerified, Instant at) {
    var id = credentialId.clone();
    // WebAuthn L3 §7.2 step 22: the counter must grow unless both are zero; checked again here
    // inside the write so that two racing assertions cannot both pass.
    return db.tx(c -> update(c, "UPDATE credentials SET sign_count = ?, backup_state = ?, "
            + "uv_initialized = MAX(uv_initialized, ?), last_used_at = ? "
            + "WHERE id = ? AND (sign_count < ? OR (sign_count = 0 AND ? = 0)) "
            + "AND (backup_eligible = 1 OR ? = 0)",
        p -> {
          p.setLong(1, signCount);
          p.setInt(2, backupState ? 1 : 0);
          p.setInt(3, userVerified ? 1 : 0);
          p.setLong(4, nanos(at));
          p.setBytes(5, id);
          p.setLong(6, signCount);
          p.setLong(7, signCount);
          p.setInt(8, backupState ? 1 : 0);
        }) == 1);
  }

  @Override
  public CompletionStage<Boolean> revoke(String userId, byte[] credentialId) {
    var id = credentialId.clone();
    return db.tx(c -> {
      var deleted = update(c, "DELETE FROM credentials WHERE user_id = ? AND id = ?", p -> {
        p.setString(1, userId);
        p.setBytes(2, id);
      }) == 1;
      if (deleted) EmbeddedRevocationLog.appendIn(c, db.clock.instant(), userId, Optional.of(id));
      return deleted;
    });
  }

  @Override
  public CompletionStage<Boolean> rename(String userId, byte[] credentialId, String label) {
    var id = credentialId.clone();
    return Async.attempt(() -> {
      var l = PasskeyStore.checkedLabel(label);
      return db.tx(c -> update(c, "UPDATE credentials SET label = ? WHERE user_id = ? AND id = ?", p -> {
        p.setString(1, l);
        p.setString(2, userId);
        p.setBytes(3, id);
      }) == 1);
    });
  }
}
