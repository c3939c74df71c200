package dev.stepgate.server;

import dev.stepgate.config.GatewayConfig;
import dev.stepgate.credential.CredentialException;
import dev.stepgate.credential.EmbeddedStore;
import dev.stepgate.credential.Storage;
import dev.stepgate.passkey.CeremonyStore;
import dev.stepgate.passkey.MemoryCeremonyStore;
import dev.stepgate.passkey.PasskeySettings;
import dev.stepgate.postgres.PostgresStore;

/**
 * The one place that names concrete state backends: the gateway and the admin CLI both open their
 * stores here, so a new backend (Postgres, Redis) is one new case here and one new file beside
 * the port it implements. Everything else sees only the ports.
 */
public final class Backends {
  private Backends() {}

  /**
   * Opens the credential storage {@code storage.driver} names, with every port of it: the
   * embedded file, or Postgres ({@code storage.url}; the store brings its own small Vert.x, so
   * the gateway and the admin commands open it alike). Blocks while it opens (migrations, file
   * checks; Postgres at most 30 s): call at start-up, never on an event loop.
   *
   * @throws dev.stepgate.credential.CredentialException if it cannot be opened
   */
  public static Storage storage(GatewayConfig.Storage config) {
    return switch (config.driver()) {
      case EMBEDDED -> EmbeddedStore.open(config.path(), config.allowSharedPermissions()).storage();
      // The config loader requires the url with this driver; a config built in code without one is refused the same way.
      case POSTGRES -> PostgresStore.open(config.url().orElseThrow(() ->
          new CredentialException("invalid-config", 400, "storage.url: required with storage.driver: postgres"))).storage();
    };
  }

  /** Where started passkey ceremonies wait ({@code sessions.driver: memory}: this process). */
  static CeremonyStore ceremonies(GatewayConfig config) {
    return new MemoryCeremonyStore(PasskeySettings.DEFAULT_CEREMONY_TTL);
  }
}
