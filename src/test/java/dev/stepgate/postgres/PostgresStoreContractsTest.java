package dev.stepgate.postgres;

import dev.stepgate.credential.AuditLogContract;
import dev.stepgate.credential.InviteStoreContract;
import dev.stepgate.credential.PasskeyStoreContract;
import dev.stepgate.credential.RevocationLogContract;
import dev.stepgate.credential.Storage;
import dev.stepgate.credential.UserStoreContract;
import dev.stepgate.identity.SigningKeyStore;
import dev.stepgate.identity.SigningKeyStoreContract;
import dev.stepgate.testing.PostgresServer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The Postgres backend runs every credential-storage port contract, exactly the suites the
 * embedded store runs, against a real server; each test gets a new, empty database (migrated by
 * the store as it opens).
 */
@ExtendWith(PostgresServer.Shared.class)
class PostgresStoreContractsTest {
  static Storage openBackend() {
    return PostgresStore.open(PostgresServer.shared().newDatabase()).storage();
  }

  @Nested
  class Users extends UserStoreContract {
    @Override
    protected Storage newStorage() {
      return openBackend();
    }
  }

  @Nested
  class Passkeys extends PasskeyStoreContract {
    @Override
    protected Storage newStorage() {
      return openBackend();
    }
  }

  @Nested
  class Recovery extends dev.stepgate.credential.RecoveryStoreContract {
    @Override
    protected Storage newStorage() {
      return openBackend();
    }
  }

  @Nested
  class Invites extends InviteStoreContract {
    @Override
    protected Storage newStorage() {
      return openBackend();
    }
  }

  @Nested
  class Audit extends AuditLogContract {
    @Override
    protected Storage newStorage() {
      return openBackend();
    }
  }

  @Nested
  class Revocations extends RevocationLogContract {
    @Override
    protected Storage newStorage() {
      return openBackend();
    }
  }

  @Nested
  class Secrets extends dev.stepgate.credential.InstallSecretsContract {
    @Override
    protected Storage newStorage() {
      return openBackend();
    }
  }

  @Nested
  class Keys extends SigningKeyStoreContract {
    private Storage storage;

    @Override
    protected SigningKeyStore newStore() {
      storage = openBackend();
      return storage.signingKeys();
    }

    @Override
    protected void closeStore() {
      if (storage != null) storage.close();
    }
  }
}
