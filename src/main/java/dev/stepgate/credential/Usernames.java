package dev.stepgate.credential;

import java.text.Normalizer;
import java.util.Locale;

/** The one place usernames are normalized, so that lookups and the unique index agree. */
public final class Usernames {
  /** Longest username accepted, in characters after normalization. */
  public static final int MAX_LENGTH = 64;

  private Usernames() {}

  /**
   * Trims, applies Unicode NFKC and lower-cases (ROOT locale) {@code raw}; rejects blank, too
   * long, or control characters.
   *
   * @throws IllegalArgumentException with a plain message when {@code raw} cannot be a username
   */
  public static String normalize(String raw) {
    if (raw == null) throw new IllegalArgumentException("username must not be null");
    var n = Normalizer.normalize(raw.strip(), Normalizer.Form.NFKC).toLowerCase(Locale.ROOT);
    if (n.isEmpty()) throw new IllegalArgumentException("username must not be blank");
    if (n.length() > MAX_LENGTH)
      throw new IllegalArgumentException("username must be at most " + MAX_LENGTH + " characters");
    if (n.codePoints().anyMatch(c -> Character.isISOControl(c) || Character.isWhitespace(c) && c != ' '))
      throw new IllegalArgumentException("username must not contain control characters");
    return n;
  }
}
