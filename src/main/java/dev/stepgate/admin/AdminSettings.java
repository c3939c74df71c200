package dev.stepgate.admin;

import dev.stepgate.config.ConfigLoader;
import dev.stepgate.config.GatewayConfig;
import java.nio.file.Path;
import java.util.Optional;

/**
 * What the admin commands need from the config: the storage the gateway uses (embedded or
 * Postgres, {@code storage.*}) and the public URL links are built on. Without {@code --config},
 * the built-in defaults (SPEC section 2).
 *
 * @param publicUrl e.g. {@code http://localhost:8080}, without a trailing slash
 * @param storage the {@code storage} section, opened as the gateway opens it
 */
record AdminSettings(String publicUrl, GatewayConfig.Storage storage, GatewayConfig.Audit audit,
    GatewayConfig.Notifications notifications) {
  static final String DEFAULT_PUBLIC_URL = "http://localhost:8080";
  static final Path DEFAULT_STORAGE_PATH = Path.of("./data");

  AdminSettings {
    if (publicUrl == null || publicUrl.isBlank()) throw new IllegalArgumentException("publicUrl must not be blank");
    while (publicUrl.endsWith("/")) publicUrl = publicUrl.substring(0, publicUrl.length() - 1);
    if (storage == null) throw new IllegalArgumentException("storage must not be null");
    if (audit == null) throw new IllegalArgumentException("audit must not be null");
    if (notifications == null) throw new IllegalArgumentException("notifications must not be null");
  }

  /** {@code storage}, with the default audit trail (stdout; for the CLI, stderr) and no notifications. */
  AdminSettings(String publicUrl, GatewayConfig.Storage storage) {
    this(publicUrl, storage, GatewayConfig.Audit.DEFAULT, GatewayConfig.Notifications.NONE);
  }

  /**
   * An embedded store in {@code storagePath}; with {@code allowSharedPermissions} ({@code
   * storage.allow_shared_permissions}) one others may read is opened (default: refused, as the
   * gateway does).
   */
  AdminSettings(String publicUrl, Path storagePath, boolean allowSharedPermissions) {
    this(publicUrl, embedded(storagePath, allowSharedPermissions));
  }

  AdminSettings(String publicUrl, Path storagePath) {
    this(publicUrl, storagePath, false);
  }

  /** Loads {@code config} if given (a bad file raises ConfigException), else the defaults. */
  static AdminSettings load(Optional<Path> config) {
    if (config.isEmpty()) return new AdminSettings(DEFAULT_PUBLIC_URL, DEFAULT_STORAGE_PATH);
    GatewayConfig c = ConfigLoader.load(config.get());
    // The gateway's own audit sink and webhook: a change made here is written where its changes are.
    return new AdminSettings(c.publicUrl().toString(), c.storage(), c.audit(), c.notifications());
  }

  private static GatewayConfig.Storage embedded(Path path, boolean allowSharedPermissions) {
    if (path == null) throw new IllegalArgumentException("storagePath must not be null");
    return new GatewayConfig.Storage(GatewayConfig.StorageDriver.EMBEDDED, path, Optional.empty(), allowSharedPermissions);
  }
}
