package dev.stepgate.credential;

import java.io.IOException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/**
 * {@code storage.driver: embedded}: one SQLite file, {@code stepgate.db}, in WAL mode with {@code
 * synchronous=FULL}, so a commit that returned survives a crash or {@code kill -9}. One
 * connection serves every call (SQLite has one writer anyway); calls are serialized.
 */
public final class EmbeddedStore implements CredentialStore {
  /** The file name inside the storage directory. */
  public static final String FILE_NAME = "stepgate.db";

  static final List<String> MIGRATIONS = List.of("V1__init.sql", "V2__revocations.sql");

  /**
   * How long an entry of the revocation record is kept. Gateways read it every quarter second; a
   * week covers any gateway that is running at all.
   */
  static final java.time.Duration REVOCATION_RETENTION = java.time.Duration.ofDays(7);

  private final Connection conn;
  private final Clock clock;
  private final Object lock = new Object();

  private EmbeddedStore(Connection conn, Clock clock) {
    this.conn = conn;
    this.clock = clock;
  }

  /**
   * Opens (creating and migrating if needed) {@code dir/stepgate.db}, refusing a directory or
   * file that others may read ({@link StoreFiles}).
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
    return open(dir, allowSharedPermissions, Clock.systemUTC());
  }

  static EmbeddedStore open(Path dir, Clock clock) {
    return open(dir, false, clock);
  }

  static EmbeddedStore open(Path dir, boolean allowSharedPermissions, Clock clock) {
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
      return new EmbeddedStore(conn, clock);
    } catch (IOException | SQLException e) {
      throw CredentialException.unavailable(e);
    } catch (IllegalStateException e) {
      throw new CredentialException("storage-schema-invalid", 500, e.getMessage(), e);
    }
  }

  /** Runs {@code PRAGMA integrity_check}; "ok" when the file is sound. */
  public String integrityCheck() {
    return tx(c -> {
      try (var s = c.createStatement(); var rs = s.executeQuery("PRAGMA integrity_check")) {
        var out = new StringBuilder();
        while (rs.next()) out.append(out.length() == 0 ? "" : "\n").append(rs.getString(1));
        return out.toString();
      }
    });
  }

  // ---- users

  @Override
  public void createUser(User user) {
    tx(c -> {
      insertUser(c, user);
      return null;
    });
  }

  private static void insertUser(Connection c, User u) throws SQLException {
    try (var p = c.prepareStatement("INSERT INTO users VALUES (?, ?, ?, ?)")) {
      p.setString(1, u.id());
      p.setString(2, u.username());
      p.setString(3, u.displayName());
      p.setLong(4, nanos(u.createdAt()));
      p.executeUpdate();
    } catch (SQLException e) {
      if (isUniqueViolation(e)) throw CredentialException.usernameTaken();
      throw e;
    }
  }

  @Override
  public Optional<User> findUserByUsername(String username) {
    return tx(c -> one(c, "SELECT * FROM users WHERE username = ?", p -> p.setString(1, username), EmbeddedStore::user));
  }

  @Override
  public Optional<User> findUserById(String userId) {
    return tx(c -> one(c, "SELECT * FROM users WHERE id = ?", p -> p.setString(1, userId), EmbeddedStore::user));
  }

  @Override
  public List<User> listUsers() {
    return tx(c -> all(c, "SELECT * FROM users ORDER BY username", p -> {}, EmbeddedStore::user));
  }

  // ---- credentials

  @Override
  public void addCredential(StoredCredential credential) {
    tx(c -> {
      insertCredential(c, credential);
      return null;
    });
  }

  @Override
  public void enroll(Enrollment e, Instant now) {
    tx(c -> {
      if (e.newUser().isPresent()) insertUser(c, e.newUser().get());
      if (e.inviteTokenHash().isPresent()) {
        var owner = e.newUser().isPresent() ? e.newUser() : findUserIn(c, e.credential().userId());
        var username = owner.map(User::username).orElseThrow(CredentialException::inviteInvalid);
        if (!consumeInviteIn(c, e.inviteTokenHash().get(), username, now)) throw CredentialException.inviteInvalid();
      }
      insertCredential(c, e.credential());
      return null;
    });
  }

  private static Optional<User> findUserIn(Connection c, String id) throws SQLException {
    return one(c, "SELECT * FROM users WHERE id = ?", p -> p.setString(1, id), EmbeddedStore::user);
  }

  private static void insertCredential(Connection c, StoredCredential k) throws SQLException {
    // WebAuthn L3 §7.1 step 26: a known credential id is refused, whoever owns it.
    if (one(c, "SELECT 1 FROM credentials WHERE id = ?", p -> p.setBytes(1, k.credentialId()), rs -> 1).isPresent())
      throw CredentialException.credentialExists();
    try (var p = c.prepareStatement("INSERT INTO credentials VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
      p.setBytes(1, k.credentialId());
      p.setString(2, k.userId());
      p.setBytes(3, k.attestedCredentialData());
      p.setLong(4, k.signCount());
      p.setInt(5, k.uvInitialized() ? 1 : 0);
      p.setInt(6, k.backupEligible() ? 1 : 0);
      p.setInt(7, k.backupState() ? 1 : 0);
      p.setString(8, String.join(",", new TreeSet<>(k.transports())));
      p.setString(9, k.label());
      p.setLong(10, nanos(k.createdAt()));
      if (k.lastUsedAt().isPresent()) p.setLong(11, nanos(k.lastUsedAt().get()));
      else p.setNull(11, java.sql.Types.INTEGER);
      p.setString(12, k.aaguid().toString());
      p.executeUpdate();
    } catch (SQLException e) {
      if (isUniqueViolation(e)) throw CredentialException.credentialExists();
      if (e instanceof SQLiteException s && s.getResultCode() == SQLiteErrorCode.SQLITE_CONSTRAINT_FOREIGNKEY)
        throw new CredentialException("unknown-user", 404, "No such user.");
      throw e;
    }
  }

  @Override
  public Optional<StoredCredential> findCredential(byte[] credentialId) {
    return tx(c -> one(c, "SELECT * FROM credentials WHERE id = ?", p -> p.setBytes(1, credentialId), EmbeddedStore::credential));
  }

  @Override
  public List<StoredCredential> listCredentials(String userId) {
    return tx(c -> all(c, "SELECT * FROM credentials WHERE user_id = ? ORDER BY created_at, id",
        p -> p.setString(1, userId), EmbeddedStore::credential));
  }

  @Override
  public boolean recordAssertion(byte[] credentialId, long signCount, boolean backupState, boolean userVerified, Instant at) {
    // WebAuthn L3 §7.2 step 22: the counter must grow unless both are zero; checked again here
    // inside the write so that two racing assertions cannot both pass.
    return tx(c -> update(c, "UPDATE credentials SET sign_count = ?, backup_state = ?, "
            + "uv_initialized = MAX(uv_initialized, ?), last_used_at = ? "
            + "WHERE id = ? AND (sign_count < ? OR (sign_count = 0 AND ? = 0)) "
            + "AND (backup_eligible = 1 OR ? = 0)",
        p -> {
          p.setLong(1, signCount);
          p.setInt(2, backupState ? 1 : 0);
          p.setInt(3, userVerified ? 1 : 0);
          p.setLong(4, nanos(at));
          p.setBytes(5, credentialId);
          p.setLong(6, signCount);
          p.setLong(7, signCount);
          p.setInt(8, backupState ? 1 : 0);
        }) == 1);
  }

  @Override
  public boolean revokeCredential(String userId, byte[] credentialId) {
    return tx(c -> {
      var deleted = update(c, "DELETE FROM credentials WHERE user_id = ? AND id = ?", p -> {
        p.setString(1, userId);
        p.setBytes(2, credentialId);
      }) == 1;
      if (deleted) appendRevocation(c, userId, Optional.of(credentialId));
      return deleted;
    });
  }

  /** Appends to the revocation record inside the caller's transaction; prunes expired entries. */
  private void appendRevocation(Connection c, String userId, Optional<byte[]> credentialId) throws SQLException {
    var now = clock.instant();
    update(c, "DELETE FROM revocations WHERE at < ?", p -> p.setLong(1, nanos(now.minus(REVOCATION_RETENTION))));
    update(c, "INSERT INTO revocations (at, kind, user_id, credential_id) VALUES (?, ?, ?, ?)", p -> {
      p.setLong(1, nanos(now));
      p.setString(2, credentialId.isPresent() ? "credential" : "user");
      p.setString(3, userId);
      p.setBytes(4, credentialId.orElse(null));
    });
  }

  // ---- revocation record

  @Override
  public long lastRevocationSeq() {
    return tx(c -> one(c, "SELECT COALESCE(MAX(seq), 0) FROM revocations", p -> {}, rs -> rs.getLong(1)).orElse(0L));
  }

  @Override
  public List<LoggedRevocation> revocationsAfter(long seq, int limit) {
    return tx(c -> all(c, "SELECT seq, at, user_id, credential_id FROM revocations WHERE seq > ? ORDER BY seq LIMIT ?",
        p -> {
          p.setLong(1, seq);
          p.setInt(2, Math.max(0, Math.min(limit, MAX_BATCH)));
        },
        rs -> {
          var id = rs.getBytes("credential_id");
          return new LoggedRevocation(rs.getLong("seq"), instant(rs.getLong("at")), rs.getString("user_id"),
              id == null ? Optional.empty() : Optional.of(CredentialId.of(id)));
        }));
  }

  // ---- invites

  @Override
  public void createInvite(byte[] tokenHash, String username, Instant expiresAt) {
    if (tokenHash.length != 32) throw new IllegalArgumentException("tokenHash must be a SHA-256 digest");
    tx(c -> update(c, "INSERT INTO invites VALUES (?, ?, ?, NULL)", p -> {
      p.setBytes(1, tokenHash);
      p.setString(2, username);
      p.setLong(3, nanos(expiresAt));
    }));
  }

  @Override
  public Optional<String> findInvite(byte[] tokenHash, Instant now) {
    return tx(c -> one(c, "SELECT token_hash, username FROM invites WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?",
        p -> {
          p.setBytes(1, tokenHash);
          p.setLong(2, nanos(now));
        },
        // The index finds the row by a hash of a 256-bit secret; confirm in constant time anyway.
        rs -> MessageDigest.isEqual(rs.getBytes(1), tokenHash) ? rs.getString(2) : null));
  }

  @Override
  public boolean consumeInvite(byte[] tokenHash, String username, Instant now) {
    return tx(c -> consumeInviteIn(c, tokenHash, username, now));
  }

  private static boolean consumeInviteIn(Connection c, byte[] tokenHash, String username, Instant now) throws SQLException {
    var found = one(c, "SELECT token_hash FROM invites WHERE token_hash = ? AND username = ? AND used_at IS NULL AND expires_at > ?",
        p -> {
          p.setBytes(1, tokenHash);
          p.setString(2, username);
          p.setLong(3, nanos(now));
        }, rs -> rs.getBytes(1));
    if (found.isEmpty() || !MessageDigest.isEqual(found.get(), tokenHash)) return false;
    return update(c, "UPDATE invites SET used_at = ? WHERE token_hash = ? AND used_at IS NULL", p -> {
      p.setLong(1, nanos(now));
      p.setBytes(2, tokenHash);
    }) == 1;
  }

  // ---- audit

  @Override
  public void recordEvent(String kind, Optional<String> userId, String detail) {
    var e = new AuditEvent(kind, userId, detail, clock.instant());
    tx(c -> update(c, "INSERT INTO audit_events (at, kind, user_id, detail) VALUES (?, ?, ?, ?)", p -> {
      p.setLong(1, nanos(e.at()));
      p.setString(2, e.kind());
      p.setString(3, e.userId().orElse(null));
      p.setString(4, e.detail());
    }));
  }

  @Override
  public List<AuditEvent> recentEvents(int limit) {
    return tx(c -> all(c, "SELECT * FROM audit_events ORDER BY seq DESC LIMIT ?", p -> p.setInt(1, limit),
        rs -> new AuditEvent(rs.getString("kind"), Optional.ofNullable(rs.getString("user_id")),
            rs.getString("detail"), instant(rs.getLong("at")))));
  }

  // ---- signing keys

  @Override
  public List<StoredSigningKey> signingKeys() {
    return tx(c -> all(c, "SELECT * FROM signing_keys ORDER BY created_at DESC, kid", p -> {},
        rs -> new StoredSigningKey(rs.getString("kid"), rs.getString("private_jwk"), instant(rs.getLong("created_at")),
            optionalInstant(rs, "retired_at"))));
  }

  @Override
  public void addSigningKey(StoredSigningKey key) {
    tx(c -> {
      try {
        return update(c, "INSERT INTO signing_keys VALUES (?, ?, ?, ?)", p -> {
          p.setString(1, key.kid());
          p.setString(2, key.privateJwk());
          p.setLong(3, nanos(key.createdAt()));
          if (key.retiredAt().isPresent()) p.setLong(4, nanos(key.retiredAt().get()));
          else p.setNull(4, java.sql.Types.INTEGER);
        });
      } catch (SQLException e) {
        if (isUniqueViolation(e)) throw new CredentialException("key-exists", 409, "A signing key with this id exists.");
        throw e;
      }
    });
  }

  @Override
  public void retireSigningKey(String kid, Instant retiredAt) {
    tx(c -> update(c, "UPDATE signing_keys SET retired_at = ? WHERE kid = ? AND retired_at IS NULL", p -> {
      p.setLong(1, nanos(retiredAt));
      p.setString(2, kid);
    }));
  }

  @Override
  public int dropRetiredBefore(Instant before) {
    return tx(c -> update(c, "DELETE FROM signing_keys WHERE retired_at IS NOT NULL AND retired_at < ?",
        p -> p.setLong(1, nanos(before))));
  }

  @Override
  public void close() {
    synchronized (lock) {
      try {
        conn.close();
      } catch (SQLException e) {
        throw CredentialException.unavailable(e);
      }
    }
  }

  // ---- plumbing

  interface SqlWork<T> {
    T run(Connection c) throws SQLException;
  }

  interface Binder {
    void bind(PreparedStatement p) throws SQLException;
  }

  interface Row<T> {
    T map(ResultSet rs) throws SQLException;
  }

  private <T> T tx(SqlWork<T> work) {
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

  private static <T> Optional<T> one(Connection c, String sql, Binder b, Row<T> row) throws SQLException {
    var l = all(c, sql, b, row);
    return l.isEmpty() ? Optional.empty() : Optional.ofNullable(l.get(0));
  }

  private static <T> List<T> all(Connection c, String sql, Binder b, Row<T> row) throws SQLException {
    try (var p = c.prepareStatement(sql)) {
      b.bind(p);
      try (var rs = p.executeQuery()) {
        var out = new ArrayList<T>();
        while (rs.next()) out.add(row.map(rs));
        return out;
      }
    }
  }

  private static int update(Connection c, String sql, Binder b) throws SQLException {
    try (var p = c.prepareStatement(sql)) {
      b.bind(p);
      return p.executeUpdate();
    }
  }

  private static boolean isUniqueViolation(SQLException e) {
    return e instanceof SQLiteException s
        && (s.getResultCode() == SQLiteErrorCode.SQLITE_CONSTRAINT_PRIMARYKEY
            || s.getResultCode() == SQLiteErrorCode.SQLITE_CONSTRAINT_UNIQUE);
  }

  private static User user(ResultSet rs) throws SQLException {
    return new User(rs.getString("id"), rs.getString("username"), rs.getString("display_name"), instant(rs.getLong("created_at")));
  }

  private static StoredCredential credential(ResultSet rs) throws SQLException {
    var t = rs.getString("transports");
    return new StoredCredential(rs.getBytes("id"), rs.getString("user_id"), rs.getBytes("attested_data"),
        rs.getLong("sign_count"), rs.getInt("uv_initialized") == 1, rs.getInt("backup_eligible") == 1,
        rs.getInt("backup_state") == 1, t.isEmpty() ? Set.of() : Set.copyOf(Arrays.asList(t.split(","))),
        rs.getString("label"), instant(rs.getLong("created_at")), optionalInstant(rs, "last_used_at"),
        UUID.fromString(rs.getString("aaguid")));
  }

  private static Optional<Instant> optionalInstant(ResultSet rs, String col) throws SQLException {
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
