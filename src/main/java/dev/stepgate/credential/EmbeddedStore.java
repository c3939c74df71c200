package dev.stepgate.credential;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Clock;
import java.util.List;
import java.util.Properties;

/**
 * {@code storage.driver: embedded}: one SQLite file, {@code stepgate.db}, in WAL mode with {@code
 * synchronous=FULL}, so a commit that returned survives a crash or {@code kill -9}. One
 * connection serves every port; its work runs on the store's own bounded executor ({@link
 * #THREADS} threads, at most {@link #QUEUE_CAPACITY} calls waiting; more fail with {@code
 * storage-unavailable}), never on the caller's thread. Only the wiring ({@code server}) names
 * this class; everything else takes the ports of {@link #storage()}.
 */
public final class EmbeddedStore implements AutoCloseable {
  /** The file name inside the storage directory. */
  public static final String FILE_NAME = "stepgate.db";

  /**
   * Threads of the store's executor. SQLite has one writer and the store one connection, so more
   * threads would only wait on it; two let one call's continuations run while the next is served.
   */
  static final int THREADS = 2;

  /** Calls that may wait for the store before new ones are refused (fail closed, 503). */
  static final int QUEUE_CAPACITY = 1024;

  static final List<String> MIGRATIONS = List.of("V1__init.sql", "V2__revocations.sql", "V3__install_secrets.sql",
      "V4__recovery.sql",
      "V5__user_disabled.sql", "V6__user_groups.sql");

  private final EmbeddedDatabase db;
  private final Storage storage;

  private EmbeddedStore(EmbeddedDatabase db) {
    this.db = db;
    this.storage = new Storage(new EmbeddedUserStore(db), new EmbeddedPasskeyStore(db), new EmbeddedInviteStore(db),
        new EmbeddedAuditLog(db), new EmbeddedRevocationLog(db), new EmbeddedSigningKeyStore(db), new EmbeddedInstallSecrets(db),
        new EmbeddedRecoveryStore(db), db::ping, this);
  }

  /**
   * Opens (creating and migrating if needed) {@code dir/stepgate.db}, refusing a directory or
   * file that others may read ({@link StoreFiles}). Blocks while it opens: call at start-up.
   */
  public static EmbeddedStore open(Path dir) {
    return open(dir, false);
  }

  /**
   * As {@link #open(Path)}; with {@code allowSharedPermissions} ({@code
   * storage.allow_shared_permissions: true}) an existing store open to its group or others is
   * accepted as it is. A new one is created owner-only either way.
   *
   * @throws CredentialException {@link StoreFiles#SHARED} when refused
   */
  public static EmbeddedStore open(Path dir, boolean allowSharedPermissions) {
    return open(dir, allowSharedPermissions, Clock.systemUTC(), THREADS, QUEUE_CAPACITY);
  }

  static EmbeddedStore open(Path dir, Clock clock) {
    return open(dir, false, clock, THREADS, QUEUE_CAPACITY);
  }

  static EmbeddedStore open(Path dir, boolean allowSharedPermissions, Clock clock, int threads, int queueCapacity) {
    var file = dir.resolve(FILE_NAME);
    try {
      StoreFiles.beforeOpen(dir, file, allowSharedPermissions);
      var props = new Properties();
      props.setProperty("journal_mode", "WAL");
      props.setProperty("synchronous", "FULL");
      props.setProperty("busy_timeout", "5000");
      props.setProperty("foreign_keys", "true");
      var conn = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath(), props);
      try {
        new SchemaMigrations("db/embedded", MIGRATIONS).migrate(conn);
        conn.setAutoCommit(false);
        // The migration wrote, so the -wal and -shm files exist now: make sure of their mode.
        StoreFiles.afterOpen(file, allowSharedPermissions);
      } catch (SQLException | IOException | RuntimeException e) {
        conn.close();
        throw e;
      }
      return new EmbeddedStore(new EmbeddedDatabase(conn, new StoreExecutor("stepgate-store", threads, queueCapacity), clock));
    } catch (IOException | SQLException e) {
      throw CredentialException.unavailable(e);
    } catch (IllegalStateException e) {
      throw new CredentialException("storage-schema-invalid", 500, e.getMessage(), e);
    }
  }

  /** Every port of this store; closing it closes the store. */
  public Storage storage() {
    return storage;
  }

  /** Runs {@code PRAGMA integrity_check} on the caller's thread; "ok" when the file is sound. */
  public String integrityCheck() {
    return db.txNow(c -> {
      try (var s = c.createStatement(); var rs = s.executeQuery("PRAGMA integrity_check")) {
        var out = new StringBuilder();
        while (rs.next()) out.append(out.length() == 0 ? "" : "\n").append(rs.getString(1));
        return out.toString();
      }
    });
  }

  /** Lets waiting calls finish, refuses new ones ({@code storage-unavailable}), closes the file. */
  @Override
  public void close() {
    db.close();
  }
}
