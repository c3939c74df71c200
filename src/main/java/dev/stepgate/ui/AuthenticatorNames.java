package dev.stepgate.ui;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The name of the passkey provider an AAGUID stands for ("Google Password Manager", "1Password"),
 * from the small table shipped as {@code stepgate/aaguids.json} (its {@code source} names where
 * it comes from). For the account page only: an AAGUID is what the authenticator claims, so
 * nothing is ever decided by it here. The all-zero AAGUID (attestation "none", many providers)
 * and unknown ones have no name.
 */
final class AuthenticatorNames {
  static final String RESOURCE = "stepgate/aaguids.json";
  private static final UUID NONE = new UUID(0, 0);

  private final Map<UUID, String> names;

  AuthenticatorNames(Map<UUID, String> names) {
    this.names = Map.copyOf(names);
  }

  /** The table shipped with the gateway. */
  static AuthenticatorNames bundled() {
    try (var in = AuthenticatorNames.class.getClassLoader().getResourceAsStream(RESOURCE)) {
      if (in == null) throw new IllegalStateException(RESOURCE + " is missing from the build");
      var table = new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8)).getJsonObject("aaguids");
      var names = new HashMap<UUID, String>();
      table.forEach(e -> names.put(UUID.fromString(e.getKey()), (String) e.getValue()));
      return new AuthenticatorNames(names);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The provider's name, when the table knows the AAGUID. */
  Optional<String> of(UUID aaguid) {
    if (aaguid == null || aaguid.equals(NONE)) return Optional.empty();
    return Optional.ofNullable(names.get(aaguid));
  }

  int size() {
    return names.size();
  }
}
