package dev.stepgate.credential;

import java.util.List;

/**
 * The version rules both storage backends' migration runners share: a migration's version is the
 * number in its file name ({@code V<n>__*.sql}); versions increase strictly and may skip numbers;
 * a database must have applied exactly the first N of the build's versions, so nothing is ever
 * applied out of order.
 */
public final class MigrationVersions {
  private MigrationVersions() {}

  /** The version of each name ({@code V<n>__*.sql}), checked to increase strictly from 1 up. */
  public static int[] versionsOf(List<String> names) {
    var out = new int[names.size()];
    for (int i = 0; i < names.size(); i++) {
      var m = NAME.matcher(names.get(i));
      if (!m.matches()) throw new IllegalArgumentException("migration " + names.get(i) + " must be named V<n>__*.sql");
      out[i] = Integer.parseInt(m.group(1));
      if (out[i] <= (i == 0 ? 0 : out[i - 1]))
        throw new IllegalArgumentException("migration " + names.get(i) + " must have a higher version than the one before");
    }
    return out;
  }

  private static final java.util.regex.Pattern NAME = java.util.regex.Pattern.compile("V([1-9][0-9]{0,8})__[^/]+\\.sql");

  /**
   * Checks the applied versions, ascending, against the known {@code versions}: none newer than
   * the newest known, and exactly a prefix of them.
   *
   * @throws IllegalStateException naming what does not match
   */
  public static void checkApplied(List<Integer> applied, int[] versions) {
    int newest = versions.length == 0 ? 0 : versions[versions.length - 1];
    if (!applied.isEmpty() && applied.get(applied.size() - 1) > newest)
      throw new IllegalStateException("database schema version " + applied.get(applied.size() - 1)
          + " is newer than this build supports (" + newest + ")");
    for (int i = 0; i < applied.size(); i++) {
      if (i >= versions.length || applied.get(i).intValue() != versions[i])
        throw new IllegalStateException("schema_version has a gap");
    }
  }
}
