package dev.stepgate;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The one alphabet of group names (SPEC section 3 {@code allow.groups}), shared by the policy
 * parser, the stores, the CLI, the admin API and the identity headers: 1 to {@link #MAX_LENGTH}
 * characters of ASCII letters, digits and {@code . _ : -}, starting with a letter or digit.
 * Case-sensitive and otherwise opaque. The alphabet has no comma, space, quote or control
 * character, so a list of names joined by {@code ","} is a safe header value and cannot be read
 * as anything but that list.
 */
public final class GroupNames {
  /** Longest group name, in characters. */
  public static final int MAX_LENGTH = 64;

  /** Most groups one user may belong to, so that the assertion and the headers stay small. */
  public static final int MAX_PER_USER = 64;

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0," + (MAX_LENGTH - 1) + "}");

  private GroupNames() {}

  /** True when {@code name} is a possible group name. */
  public static boolean valid(String name) {
    return name != null && NAME.matcher(name).matches();
  }

  /** Why {@code name} cannot be a group name, in a phrase; empty when it can. */
  public static Optional<String> problem(String name) {
    if (name == null || name.isEmpty()) return Optional.of("a group name must not be empty");
    if (name.length() > MAX_LENGTH) return Optional.of("a group name is at most " + MAX_LENGTH + " characters");
    if (!valid(name)) {
      return Optional.of("a group name is ASCII letters, digits and . _ : - (starting with a letter or digit)");
    }
    return Optional.empty();
  }
}
