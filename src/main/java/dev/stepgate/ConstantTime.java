package dev.stepgate;

/** Comparisons of secrets whose time does not depend on where they differ. */
public final class ConstantTime {
  private ConstantTime() {}

  /**
   * True when {@code a} and {@code b} are the same text. The time depends on their lengths only
   * (a length is no secret here: cookie and token lengths are fixed or visible on the wire), never
   * on how long a prefix they share. Either may be null (then false unless both are).
   */
  public static boolean equals(String a, String b) {
    if (a == null || b == null) return a == b;
    int n = a.length();
    if (n != b.length()) return false;
    int diff = 0;
    for (int i = 0; i < n; i++) diff |= a.charAt(i) ^ b.charAt(i);
    return diff == 0;
  }
}
