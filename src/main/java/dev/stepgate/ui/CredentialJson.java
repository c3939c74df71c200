package dev.stepgate.ui;

import dev.stepgate.credential.StoredCredential;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * The JSON of a user's passkeys, one shape wherever they are listed: {@code GET
 * /.stepgate/api/credentials} (the user's own, SPEC section 4) and {@code GET
 * /admin/api/users/{username}/credentials} (an operator's view, SPEC section 8). Public values
 * only: the id, the label, times, whether it syncs, and the authenticator's name when known.
 */
final class CredentialJson {
  private final AuthenticatorNames names;

  CredentialJson(AuthenticatorNames names) {
    this.names = names;
  }

  /** {@code {"credentials": [...]}}, in the order given (the store's: oldest first). */
  JsonObject list(List<StoredCredential> credentials) {
    var out = new JsonArray();
    for (var c : credentials) out.add(of(c));
    return new JsonObject().put("credentials", out);
  }

  /** One passkey: {@code id, label, createdAt, lastUsedAt, synced, viaRecovery, authenticator?} (times in epoch seconds). */
  JsonObject of(StoredCredential c) {
    var json = new JsonObject().put("id", c.credentialIdBase64()).put("label", c.label())
        .put("createdAt", c.createdAt().getEpochSecond())
        .put("lastUsedAt", c.lastUsedAt().map(t -> (Object) t.getEpochSecond()).orElse(null))
        .put("synced", c.backupEligible()).put("viaRecovery", c.viaRecovery());
    names.of(c.aaguid()).ifPresent(n -> json.put("authenticator", n));
    return json;
  }
}
