package dev.stepgate.credential;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Applies versioned SQL migrations ({@code <folder>/V1__name.sql}, {@code V2__...}) found on the
 * class path, each in its own transaction, and records them in {@code schema_version} with a
 * checksum. The version is the number in the file name; versions increase strictly but need not be
 * contiguous (two branches may add V4 and V5 side by side). A database must have
 * applied exactly a prefix of this build's versions. Refuses to run on a database that is newer than this build or whose applied scripts
 * were edited since: silently continuing there could corrupt credentials.
 */
final class SchemaMigrations {
  private final String folder;
  private final List<String> names;
  private final int[] versions;

  /**
   * @param folder class-path folder, e.g. {@code db/embedded}
   * @param names migration file names in order, e.g. {@code V1__init.sql}; their versions must
   *     increase strictly
   */
  SchemaMigrations(String folder, List<String> names) {
    this.folder = folder;
    this.names = List.copyOf(names);
    this.versions = MigrationVersions.versionsOf(this.names);
  }

  /** Brings the schema up to the newest version. Returns the version now in force. */
  int migrate(Connection c) throws SQLException {
    boolean auto = c.getAutoCommit();
    c.setAutoCommit(false);
    try {
      try (var s = c.createStatement()) {
        s.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, "
            + "name TEXT NOT NULL, checksum TEXT NOT NULL, applied_at INTEGER NOT NULL)");
      }
      c.commit();
      var applied = applied(c, versions);
      for (int i = 0; i < names.size(); i++) {
        var sql = read(names.get(i));
        var sum = checksum(sql);
        if (i < applied.size()) {
          if (!applied.get(i).equals(sum))
            throw new IllegalStateException("migration " + names.get(i) + " changed after it was applied");
          continue;
        }
        apply(c, versions[i], names.get(i), sql, sum);
      }
      return versions.length == 0 ? 0 : versions[versions.length - 1];
    } finally {
      c.setAutoCommit(auto);
    }
  }

  private static List<String> applied(Connection c, int[] versions) throws SQLException {
    var at = new ArrayList<Integer>();
    var out = new ArrayList<String>();
    try (var s = c.createStatement();
        var rs = s.executeQuery("SELECT version, checksum FROM schema_version ORDER BY version")) {
      while (rs.next()) {
        at.add(rs.getInt(1));
        out.add(rs.getString(2));
      }
    }
    MigrationVersions.checkApplied(at, versions);
    return out;
  }

  private static void apply(Connection c, int version, String name, String sql, String sum) throws SQLException {
    try (var s = c.createStatement()) {
      for (var stmt : statements(sql)) s.execute(stmt);
      try (var p = c.prepareStatement("INSERT INTO schema_version VALUES (?, ?, ?, ?)")) {
        p.setInt(1, version);
        p.setString(2, name);
        p.setString(3, sum);
        p.setLong(4, System.currentTimeMillis());
        p.executeUpdate();
      }
      c.commit();
    } catch (SQLException | RuntimeException e) {
      c.rollback();
      throw e;
    }
  }

  /** Splits a script on semicolons that end a line; strips {@code --} comment lines. */
  static List<String> statements(String sql) {
    var out = new ArrayList<String>();
    var cur = new StringBuilder();
    for (var line : sql.split("\n", -1)) {
      var t = line.strip();
      if (t.startsWith("--") || t.isEmpty()) continue;
      cur.append(line).append('\n');
      if (t.endsWith(";")) {
        out.add(cur.toString().strip());
        cur.setLength(0);
      }
    }
    if (!cur.toString().isBlank()) out.add(cur.toString().strip());
    return out;
  }

  private String read(String name) {
    var path = folder + "/" + name;
    try (InputStream in = SchemaMigrations.class.getClassLoader().getResourceAsStream(path)) {
      if (in == null) throw new IllegalStateException("migration " + path + " is missing from the build");
      return new String(in.readAllBytes(), StandardCharsets.UTF_8).replace("\r\n", "\n");
    } catch (IOException e) {
      throw new IllegalStateException("cannot read migration " + path, e);
    }
  }

  private static String checksum(String sql) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(sql.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
