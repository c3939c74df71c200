package dev.stepgate.credential;

/**
 * The name an owner gives a passkey on the account page ("work laptop"). Shown back to its owner
 * on the account page and in prompts, so the rules keep it plain text of one short line: trimmed,
 * 1..{@value #MAX_LENGTH} characters, no control or bidirectional-override characters (they could
 * make one label look like another), and no {@code <} or {@code >} (escaped on output anyway;
 * refused so that a label never reads as markup wherever else it is shown).
 */
public final class PasskeyLabel {
  /** Longest label, in characters (code points), after trimming. */
  public static final int MAX_LENGTH = 64;

  private PasskeyLabel() {}

  /**
   * {@code raw} trimmed, if it is a valid label.
   *
   * @throws CredentialException {@code label-invalid} (400), naming the rule it breaks
   */
  public static String check(String raw) {
    var label = raw == null ? "" : raw.strip();
    if (label.isEmpty()) throw invalid("The passkey name must not be empty.");
    if (label.codePointCount(0, label.length()) > MAX_LENGTH)
      throw invalid("The passkey name must be at most " + MAX_LENGTH + " characters.");
    for (int i = 0; i < label.length(); ) {
      int c = label.codePointAt(i);
      if (c == '<' || c == '>') throw invalid("The passkey name must not contain < or >.");
      if (!allowed(c)) throw invalid("The passkey name must not contain control characters.");
      i += Character.charCount(c);
    }
    return label;
  }

  private static boolean allowed(int c) {
    int type = Character.getType(c);
    if (type == Character.CONTROL || type == Character.LINE_SEPARATOR || type == Character.PARAGRAPH_SEPARATOR
        || type == Character.UNASSIGNED || type == Character.PRIVATE_USE || type == Character.SURROGATE) return false;
    // Format characters: the bidirectional embeddings, overrides and isolates reorder what follows them.
    if (type == Character.FORMAT) return c == 0x200D; // zero-width joiner: emoji sequences need it
    return true;
  }

  private static CredentialException invalid(String message) {
    return new CredentialException("label-invalid", 400, message);
  }
}
