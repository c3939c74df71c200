package dev.stepgate.server;

import dev.stepgate.config.GatewayConfig;
import dev.stepgate.credential.EmbeddedStore;
import dev.stepgate.credential.Storage;
import dev.stepgate.passkey.CeremonyStore;
import dev.stepgate.passkey.MemoryCeremonyStore;
import dev.stepgate.passkey.PasskeySettings;

/**
 * The one place that names concrete state backends: the gateway and the admin CLI both open their
 * stores here, so a new backend (Postgres, Redis) is one new case here and one new file beside
 * the port it implements. Everything else sees only the ports.
 */
public final class Backends {
  private Backends() {}

  /**
   * Opens the credential storage {@code storage.driver} names, with every port of it. Blocks
   * while it opens (migrations, file checks): call at start-up, never on an event loop.
   *
   * @throws dev.stepgate.credential.CredentialException if it cannot be opened
   */
  public static Storage storage(GatewayConfig.Storage config) {
    return switch (config.driver()) {
      case EMBEDDED -> EmbeddedStore.open(config.path(), config.allowSharedPermissions()).storage();
      // The config loader refuses it until the backend exists; this keeps the refusal closed.
      case POSTGRES -> throw new IllegalStateException("storage.driver: postgres is not available yet");
    };
  }

  /** Where started passkey ceremonies wait ({@code sessions.driver: memory}: this process). */
  static CeremonyStore ceremonies(GatewayConfig config) {
    return new MemoryCeremonyStore(PasskeySettings.DEFAULT_CEREMONY_TTL);
  }
}
