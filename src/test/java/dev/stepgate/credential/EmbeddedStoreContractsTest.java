package dev.stepgate.credential;

import java.nio.file.Path;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.io.TempDir;

/** The embedded SQLite backend runs every credential-storage port contract. */
class EmbeddedStoreContractsTest {
  @TempDir Path dir;

  Storage openBackend() {
    return EmbeddedStore.open(dir).storage();
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
  class Recovery extends RecoveryStoreContract {
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
  class Secrets extends InstallSecretsContract {
    @Override
    protected Storage newStorage() {
      return openBackend();
    }
  }

  @Nested
  class Keys extends dev.stepgate.identity.SigningKeyStoreContract {
    @Override
    protected dev.stepgate.identity.SigningKeyStore newStore() {
      storage = openBackend();
      return storage.signingKeys();
    }

    private Storage storage;

    @Override
    protected void closeStore() {
      storage.close();
    }
  }
}
