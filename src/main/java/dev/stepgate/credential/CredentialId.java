package dev.stepgate.credential;

import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;

/**
 * A passkey's credential id (WebAuthn L3 §4 "Credential ID": 1..1023 raw bytes), parsed once at
 * the edge. Every spelling an operator or a client may paste is accepted: base64url (RFC 4648 §5)
 * or standard base64 (§4), each with or without {@code =} padding. Anything else is refused.
 * Equality is by bytes, and {@link #base64url()} (no padding) is the one canonical spelling that
 * sessions, logs and the revocation record use, so "the sessions of this passkey" never depends on
 * how its id was typed.
 */
public final class CredentialId {
  private static final Base64.Encoder URL = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder URL_DECODER = Base64.getUrlDecoder();

  private final byte[] bytes;
  private final String canonical;

  private CredentialId(byte[] bytes) {
    if (bytes.length == 0 || bytes.length > StoredCredential.MAX_ID_LENGTH)
      throw new IllegalArgumentException("a credential id is 1 to " + StoredCredential.MAX_ID_LENGTH + " bytes");
    this.bytes = bytes.clone();
    this.canonical = URL.encodeToString(bytes);
  }

  /** The id of these raw bytes. */
  public static CredentialId of(byte[] bytes) {
    return new CredentialId(bytes);
  }

  /**
   * Parses {@code text}: base64url or base64, with or without padding; surrounding blanks are
   * ignored. Mixed alphabets, wrong padding, stray characters and non-canonical trailing bits
   * (two spellings of one id) are refused.
   *
   * @throws CredentialException {@code invalid-request} (400), with a message safe to show
   */
  public static CredentialId parse(String text) {
    if (text == null || text.isBlank()) throw invalid("The credential id is empty.");
    var s = text.strip();
    int end = s.length();
    while (end > 0 && s.charAt(end - 1) == '=') end--;
    int padding = s.length() - end;
    boolean url = false;
    boolean standard = false;
    var sb = new StringBuilder(end);
    for (int i = 0; i < end; i++) {
      char c = s.charAt(i);
      if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) sb.append(c);
      else if (c == '-' || c == '_') {
        url = true;
        sb.append(c);
      } else if (c == '+' || c == '/') {
        standard = true;
        sb.append(c == '+' ? '-' : '_');
      } else throw invalid();
    }
    // RFC 4648 §3.2: padding, when present, fills the last quantum to 4 characters exactly.
    if ((url && standard) || end % 4 == 1 || (padding > 0 && (padding > 2 || (end + padding) % 4 != 0))) throw invalid();
    byte[] raw;
    try {
      raw = URL_DECODER.decode(sb.toString());
    } catch (IllegalArgumentException e) {
      throw invalid();
    }
    if (raw.length == 0 || raw.length > StoredCredential.MAX_ID_LENGTH)
      throw invalid("A credential id is 1 to " + StoredCredential.MAX_ID_LENGTH + " bytes.");
    var id = new CredentialId(raw);
    // RFC 4648 §3.5: unused bits must be zero, else two texts would name one id.
    if (!id.canonical.equals(sb.toString())) throw invalid();
    return id;
  }

  /** The raw bytes (a copy). */
  public byte[] bytes() {
    return bytes.clone();
  }

  /** The canonical spelling: base64url without padding. */
  public String base64url() {
    return canonical;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CredentialId other && MessageDigest.isEqual(bytes, other.bytes);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bytes);
  }

  /** The canonical spelling, {@link #base64url()}. */
  @Override
  public String toString() {
    return canonical;
  }

  private static CredentialException invalid() {
    return invalid("The credential id must be base64url or base64 (letters, digits, - and _ or + and /, optional = padding).");
  }

  private static CredentialException invalid(String message) {
    return new CredentialException("invalid-request", 400, message);
  }
}
