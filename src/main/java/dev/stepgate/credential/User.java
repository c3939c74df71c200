package dev.stepgate.credential;

import java.time.Instant;
import java.util.Base64;

/**
 * A person who can sign in.
 *
 * @param id stable opaque id: 32 random bytes, base64url without padding; also the WebAuthn
 *     {@code user.id} (WebAuthn L3 §5.4.3) and the {@code sub} of identity assertions
 * @param username normalized (see {@link Usernames#normalize}), unique
 * @param displayName shown in authenticator UIs; never used for decisions
 * @param createdAt when the account was created
 * @param disabled an administrator disabled the account ({@code stepgate users disable}): it
 *     cannot sign in, step up or add a passkey, and its sessions ended when it was disabled
 */
public record User(String id, String username, String displayName, Instant createdAt, boolean disabled) {
  public User {
    if (id == null || id.isEmpty()) throw new IllegalArgumentException("id must not be empty");
    var raw = decodeId(id);
    if (raw.length == 0 || raw.length > 64)
      throw new IllegalArgumentException("id must be 1..64 bytes");
    if (username == null || !username.equals(Usernames.normalize(username)))
      throw new IllegalArgumentException("username must be normalized");
    if (displayName == null) displayName = username;
    if (createdAt == null) throw new IllegalArgumentException("createdAt must not be null");
  }

  /** An enabled user, as every new account is. */
  public User(String id, String username, String displayName, Instant createdAt) {
    this(id, username, displayName, createdAt, false);
  }

  /** The id as the raw bytes the authenticator stores as the user handle. */
  public byte[] idBytes() {
    return decodeId(id);
  }

  private static byte[] decodeId(String id) {
    try {
      return Base64.getUrlDecoder().decode(id);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("id must be base64url");
    }
  }
}
