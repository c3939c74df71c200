package dev.stepgate.credential;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/**
 * The embedded store's one SQLite connection, its own {@link StoreExecutor}, and the JDBC
 * plumbing its ports share. Every transaction runs on the executor, serialized on the connection
 * (SQLite has one writer anyway), and commits or rolls back as a whole.
 */
final class EmbeddedDatabase implements AutoCloseable {
  private final Connection conn;
  private final StoreExecutor executor;
  final Clock clock;
  private final Object lock = new Object();

  EmbeddedDatabase(Connection conn, StoreExecutor executor, Clock clock) {
    this.conn = conn;
    this.executor = executor;
    this.clock = clock;
  }

  interface SqlWork<T> {
    T run(Connection c) throws SQLException;
  }

  interface Binder {
    void bind(PreparedStatement p) throws SQLException;
  }

  interface Row<T> {
    T map(ResultSet rs) throws SQLException;
  }

  /** One transaction on the store's threads. */
  <T> CompletionStage<T> tx(SqlWork<T> work) {
    return executor.submit(() -> txNow(work));
  }

  /**
   * {@code SELECT 1} through the store's executor and connection: fails as a call would when the
   * executor is full or the connection broken.
   */
  CompletionStage<Void> ping() {
    return tx(c -> {
      try (var st = c.createStatement(); var rs = st.executeQuery("SELECT 1")) {
        rs.next();
        return null;
      }
    });
  }

  /** One transaction on the caller's thread: for start-up checks only. */
  <T> T txNow(SqlWork<T> work) {
    synchronized (lock) {
      try {
        var out = work.run(conn);
        conn.commit();
        return out;
      } catch (SQLException e) {
        rollbackQuietly(e);
        throw CredentialException.unavailable(e);
      } catch (RuntimeException e) {
        rollbackQuietly(e);
        throw e;
      }
    }
  }

  private void rollbackQuietly(Exception cause) {
    try {
      conn.rollback();
    } catch (SQLException r) {
      cause.addSuppressed(r);
    }
  }

  /** Lets queued work finish, then closes the connection. */
  @Override
  public void close() {
    executor.close();
    synchronized (lock) {
      try {
        conn.close();
      } catch (SQLException e) {
        throw CredentialException.unavailable(e);
      }
    }
  }

  static <T> Optional<T> one(Connection c, String sql, Binder b, Row<T> row) throws SQLException {
    var l = all(c, sql, b, row);
    return l.isEmpty() ? Optional.empty() : Optional.ofNullable(l.get(0));
  }

  static <T> List<T> all(Connection c, String sql, Binder b, Row<T> row) throws SQLException {
    try (var p = c.prepareStatement(sql)) {
      b.bind(p);
      try (var rs = p.executeQuery()) {
        var out = new ArrayList<T>();
        while (rs.next()) out.add(row.map(rs));
        return out;
      }
    }
  }

  static int update(Connection c, String sql, Binder b) throws SQLException {
    try (var p = c.prepareStatement(sql)) {
      b.bind(p);
      return p.executeUpdate();
    }
  }

  static boolean isUniqueViolation(SQLException e) {
    return e instanceof SQLiteException s
        && (s.getResultCode() == SQLiteErrorCode.SQLITE_CONSTRAINT_PRIMARYKEY
            || s.getResultCode() == SQLiteErrorCode.SQLITE_CONSTRAINT_UNIQUE);
  }

  static boolean isForeignKeyViolation(SQLException e) {
    return e instanceof SQLiteException s && s.getResultCode() == SQLiteErrorCode.SQLITE_CONSTRAINT_FOREIGNKEY;
  }

  static User user(ResultSet rs) throws SQLException {
    return new User(rs.getString("id"), rs.getString("username"), rs.getString("display_name"), instant(rs.getLong("created_at")),
        rs.getInt("disabled") == 1);
  }

  static StoredCredential credential(ResultSet rs) throws SQLException {
    var t = rs.getString("transports");
    return new StoredCredential(rs.getBytes("id"), rs.getString("user_id"), rs.getBytes("attested_data"),
        rs.getLong("sign_count"), rs.getInt("uv_initialized") == 1, rs.getInt("backup_eligible") == 1,
        rs.getInt("backup_state") == 1, t.isEmpty() ? Set.of() : Set.copyOf(Arrays.asList(t.split(","))),
        rs.getString("label"), instant(rs.getLong("created_at")), optionalInstant(rs, "last_used_at"),
        UUID.fromString(rs.getString("aaguid")));
  }

  static Optional<Instant> optionalInstant(ResultSet rs, String col) throws SQLException {
    long v = rs.getLong(col);
    return rs.wasNull() ? Optional.empty() : Optional.of(instant(v));
  }

  static long nanos(Instant i) {
    return Math.addExact(Math.multiplyExact(i.getEpochSecond(), 1_000_000_000L), i.getNano());
  }

  static Instant instant(long nanos) {
    return Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L));
  }
}
