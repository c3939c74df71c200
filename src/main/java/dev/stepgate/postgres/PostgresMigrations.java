package dev.stepgate.postgres;

import dev.stepgate.credential.CredentialException;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Applies versioned SQL migrations ({@code db/postgres/V1__name.sql}, {@code V2__...}) from the
 * class path and records them in {@code schema_version} with a SHA-256 checksum, as the embedded
 * store's migrations do. All of it runs in one transaction that first takes a transaction-scoped
 * advisory lock: nodes starting at once on an empty database queue on the lock, the first applies
 * the scripts, the others find them applied (Postgres DDL is transactional, so a failed migration
 * leaves nothing behind). Refuses a database newer than this build, or whose applied scripts were
 * edited since: continuing there could corrupt credentials.
 */
final class PostgresMigrations {
  /** The advisory lock key of stepgate's schema (per database): "stepgate" in ASCII. */
  static final long LOCK = 0x7374_6570_6761_7465L;

  private final String folder;
  private final List<String> names;
  private final int[] versions;

  /**
   * @param folder class-path folder, e.g. {@code db/postgres}
   * @param names migration file names in order; their versions (the number in the name) must
   *     increase strictly, as the embedded store's migrations
   */
  PostgresMigrations(String folder, List<String> names) {
    this.folder = folder;
    this.names = List.copyOf(names);
    this.versions = dev.stepgate.credential.MigrationVersions.versionsOf(this.names);
  }

  /**
   * Brings the schema up to the newest version; the future carries the version now in force, or
   * a {@link CredentialException} {@code storage-schema-invalid} (500) naming what is wrong with
   * the database's schema.
   */
  Future<Integer> migrate(Pool pool) {
    List<String> scripts;
    try {
      scripts = names.stream().map(this::read).toList();
    } catch (CredentialException e) {
      return Future.failedFuture(e);
    }
    return pool.withTransaction(c -> c.query("SELECT pg_advisory_xact_lock(" + LOCK + ")").execute()
        // Every node but the first would log the server's "already exists, skipping" notice.
        .compose(locked -> c.query("SET LOCAL client_min_messages = warning").execute())
        .compose(quiet -> c.query("CREATE TABLE IF NOT EXISTS schema_version (version integer PRIMARY KEY, "
            + "name text NOT NULL, checksum text NOT NULL, applied_at bigint NOT NULL)").execute())
        .compose(created -> c.query("SELECT version, checksum FROM schema_version ORDER BY version").execute())
        .compose(rows -> applyMissing(c, applied(rows), scripts)));
  }

  private Future<Integer> applyMissing(SqlConnection c, List<String> applied, List<String> scripts) {
    Future<Void> chain = Future.succeededFuture();
    for (int i = 0; i < names.size(); i++) {
      var name = names.get(i);
      var sql = scripts.get(i);
      var sum = checksum(sql);
      if (i < applied.size()) {
        if (!applied.get(i).equals(sum))
          return Future.failedFuture(refused("migration " + name + " changed after it was applied"));
        continue;
      }
      int version = versions[i];
      // A script is several statements: the simple-query protocol runs them as one batch.
      chain = chain.compose(done -> c.query(sql).execute())
          .compose(done -> c.preparedQuery("INSERT INTO schema_version (version, name, checksum, applied_at) VALUES ($1, $2, $3, $4)")
              .execute(Tuple.of(version, name, sum, System.currentTimeMillis())))
          .mapEmpty();
    }
    return chain.map(versions.length == 0 ? 0 : versions[versions.length - 1]);
  }

  private List<String> applied(RowSet<Row> rows) {
    var at = new ArrayList<Integer>();
    var out = new ArrayList<String>();
    for (var r : rows) {
      at.add(r.getInteger("version"));
      out.add(r.getString("checksum"));
    }
    try {
      dev.stepgate.credential.MigrationVersions.checkApplied(at, versions);
    } catch (IllegalStateException e) {
      throw refused(e.getMessage());
    }
    return out;
  }

  private static CredentialException refused(String message) {
    return new CredentialException("storage-schema-invalid", 500, message);
  }

  private String read(String name) {
    var path = folder + "/" + name;
    try (InputStream in = PostgresMigrations.class.getClassLoader().getResourceAsStream(path)) {
      if (in == null) throw refused("migration " + path + " is missing from the build");
      return new String(in.readAllBytes(), StandardCharsets.UTF_8).replace("\r\n", "\n");
    } catch (IOException e) {
      throw new CredentialException("storage-schema-invalid", 500, "cannot read migration " + path, e);
    }
  }

  static String checksum(String sql) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(sql.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }
}
