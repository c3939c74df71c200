package dev.stepgate.passkey;

import dev.stepgate.credential.UserStore;
import dev.stepgate.credential.Usernames;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * stepgate's user ids for the users an app names in bolt-on mode (SPEC section 8). The app's
 * username is normalized as every username is ({@link Usernames}); a user stepgate already has
 * keeps their id, and one it does not have yet gets a derived id (an HMAC of the name under the
 * install's key), so the assertion's {@code sub} is the same before and after their first passkey
 * and no row is written for a user who never enrolls.
 */
public final class AppUsers {
  /** The install secret the derived ids are made with. */
  public static final String ID_KEY = "app-user-ids";

  private final UserStore users;
  private final SecretKeySpec key;

  public AppUsers(UserStore users, byte[] idKey) {
    if (idKey.length < 32) throw new IllegalArgumentException("the id key must be at least 256 bits");
    this.users = users;
    this.key = new SecretKeySpec(idKey.clone(), "HmacSHA256");
  }

  /** A new random key for {@link #ID_KEY}. */
  public static byte[] newKey() {
    var k = new byte[32];
    new java.security.SecureRandom().nextBytes(k);
    return k;
  }

  /**
   * The id of the app user {@code username}: theirs if stepgate has them, else the derived one;
   * empty when they are disabled. Fails for a name that cannot be a username.
   */
  public CompletionStage<Optional<String>> userId(String username) {
    final String name;
    try {
      name = Usernames.normalize(username);
    } catch (IllegalArgumentException e) {
      return CompletableFuture.failedFuture(new PasskeyException("whoami-unavailable", 503,
          "The app named a user that cannot be a username here: " + e.getMessage(), e));
    }
    return users.byUsername(name).thenApply(found -> found.isPresent()
        ? (found.get().disabled() ? Optional.<String>empty() : Optional.of(found.get().id()))
        : Optional.of(derivedId(name)));
  }

  /** The derived id of the normalized {@code name}: base64url of 32 bytes, as user handles are. */
  public String derivedId(String name) {
    try {
      var mac = Mac.getInstance("HmacSHA256");
      mac.init(key);
      return Base64.getUrlEncoder().withoutPadding()
          .encodeToString(mac.doFinal(("stepgate-app-user\0" + name).getBytes(StandardCharsets.UTF_8)));
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is required of every Java platform", e);
    }
  }
}
