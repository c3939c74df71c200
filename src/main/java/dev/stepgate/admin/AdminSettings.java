package dev.stepgate.admin;

import dev.stepgate.config.ConfigLoader;
import dev.stepgate.config.GatewayConfig;
import java.nio.file.Path;
import java.util.Optional;

/**
 * What the admin commands need from the config: where the store is and the public URL links are
 * built on. Without {@code --config}, the built-in defaults (SPEC section 2).
 *
 * @param publicUrl e.g. {@code http://localhost:8080}, without a trailing slash
 * @param storagePath the embedded store's directory
 * @param allowSharedPermissions {@code storage.allow_shared_permissions}: open a store others may
 *     read (default false: refuse, as the gateway does)
 */
record AdminSettings(String publicUrl, Path storagePath, boolean allowSharedPermissions) {
  static final String DEFAULT_PUBLIC_URL = "http://localhost:8080";
  static final Path DEFAULT_STORAGE_PATH = Path.of("./data");

  AdminSettings {
    if (publicUrl == null || publicUrl.isBlank()) throw new IllegalArgumentException("publicUrl must not be blank");
    while (publicUrl.endsWith("/")) publicUrl = publicUrl.substring(0, publicUrl.length() - 1);
    if (storagePath == null) throw new IllegalArgumentException("storagePath must not be null");
  }

  AdminSettings(String publicUrl, Path storagePath) {
    this(publicUrl, storagePath, false);
  }

  /** Loads {@code config} if given (a bad file raises ConfigException), else the defaults. */
  static AdminSettings load(Optional<Path> config) {
    if (config.isEmpty()) return new AdminSettings(DEFAULT_PUBLIC_URL, DEFAULT_STORAGE_PATH);
    GatewayConfig c = ConfigLoader.load(config.get());
    if (c.storage().driver() != GatewayConfig.StorageDriver.EMBEDDED)
      throw new IllegalArgumentException("only storage.driver: embedded is supported by this command yet");
    return new AdminSettings(c.publicUrl().toString(),
        c.storage().path() == null ? DEFAULT_STORAGE_PATH : c.storage().path(), c.storage().allowSharedPermissions());
  }
}
