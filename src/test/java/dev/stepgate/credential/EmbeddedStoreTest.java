package dev.stepgate.credential;

import static org.junit.jupiter.api.Assertions.*;

import static dev.stepgate.credential.StorageContract.credential;
import static dev.stepgate.credential.StorageContract.id;
import static dev.stepgate.credential.StorageContract.user;

import dev.stepgate.Async;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What only the embedded backend does: its file, its migrations, its own bounded executor. */
class EmbeddedStoreTest {
  @TempDir Path dir;
  EmbeddedStore embedded;
  BlockingStore store;

  @BeforeEach
  void open() {
    embedded = EmbeddedStore.open(dir);
    store = new BlockingStore(embedded.storage());
  }

  @AfterEach
  void close() {
    embedded.close();
  }

  @Test
  void calls_afterClose_failWithStorageUnavailable() {
    embedded.close();
    var e = assertThrows(CredentialException.class, () -> store.findUserById("dXNlcg"));
    assertEquals("storage-unavailable", e.type());
    embedded = EmbeddedStore.open(dir.resolve("other"));
  }

  @Test
  void open_setsWalFullSyncAndForeignKeys() throws Exception {
    try (var c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve(EmbeddedStore.FILE_NAME));
        var s = c.createStatement()) {
      try (var rs = s.executeQuery("PRAGMA journal_mode")) {
        rs.next();
        assertEquals("wal", rs.getString(1));
      }
      try (var rs = s.executeQuery("SELECT version, name FROM schema_version")) {
        assertTrue(rs.next());
        assertEquals(1, rs.getInt(1));
        assertEquals("V1__init.sql", rs.getString(2));
      }
    }
    assertEquals("ok", embedded.integrityCheck());
  }

  @Test
  void reopen_keepsDataAndDoesNotReapplyMigrations() {
    var u = user("alice");
    store.createUser(u);
    embedded.close();
    embedded = EmbeddedStore.open(dir);
    store = new BlockingStore(embedded.storage());
    assertEquals(Optional.of(u), store.findUserById(u.id()));
  }

  @Test
  void migrate_editedScript_isRefused() throws Exception {
    embedded.close();
    try (var c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve(EmbeddedStore.FILE_NAME));
        var s = c.createStatement()) {
      s.executeUpdate("UPDATE schema_version SET checksum = 'x'");
    }
    var e = assertThrows(CredentialException.class, () -> EmbeddedStore.open(dir));
    assertEquals("storage-schema-invalid", e.type());
    assertEquals("migration V1__init.sql changed after it was applied", e.getMessage());
    embedded = EmbeddedStore.open(dir.resolve("other"));
  }

  @Test
  void migrate_newerDatabase_isRefused() throws Exception {
    embedded.close();
    try (var c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve(EmbeddedStore.FILE_NAME));
        var s = c.createStatement()) {
      s.executeUpdate("INSERT INTO schema_version VALUES (7, 'V7__future.sql', 'x', 0)");
    }
    var e = assertThrows(CredentialException.class, () -> EmbeddedStore.open(dir));
    assertEquals("database schema version 7 is newer than this build supports (6)", e.getMessage());
    embedded = EmbeddedStore.open(dir.resolve("other"));
  }

  @Test
  void migrateToV6_keepsTheRevocationRecordAndItsNumbering_andAcceptsGroupsEntries() throws Exception {
    embedded.close();
    var old = dir.resolve("v5");
    java.nio.file.Files.createDirectories(old);
    try (var c = DriverManager.getConnection("jdbc:sqlite:" + old.resolve(EmbeddedStore.FILE_NAME));
        var s = c.createStatement()) {
      new SchemaMigrations("db/embedded", EmbeddedStore.MIGRATIONS.subList(0, 5)).migrate(c);
      s.executeUpdate("INSERT INTO users (id, username, display_name, created_at) VALUES ('dTE', 'u1', 'u1', 0)");
      s.executeUpdate("INSERT INTO revocations (at, kind, user_id, credential_id) VALUES (1, 'credential', 'dTE', x'0102')");
      s.executeUpdate("INSERT INTO revocations (at, kind, user_id) VALUES (2, 'user', 'dTE')");
      s.executeUpdate("INSERT INTO revocations (at, kind, user_id) VALUES (3, 'user', 'dTE')");
      // The newest drawn number is 3, but only 1 and 2 are left (say, pruned by hand).
      s.executeUpdate("DELETE FROM revocations WHERE seq = 3");
      assertThrows(java.sql.SQLException.class,
          () -> s.executeUpdate("INSERT INTO revocations (at, kind, user_id) VALUES (4, 'groups', 'dTE')"));
    }
    embedded = EmbeddedStore.open(old, true);
    store = new BlockingStore(embedded.storage());
    var kept = store.revocationsAfter(0, 10);
    assertEquals(List.of(1L, 2L), kept.stream().map(LoggedRevocation::seq).toList());
    assertEquals(List.of(LoggedRevocation.Kind.CREDENTIAL, LoggedRevocation.Kind.USER),
        kept.stream().map(LoggedRevocation::kind).toList());
    assertEquals(Optional.of(CredentialId.of(new byte[] {1, 2})), kept.get(0).credentialId());
    assertTrue(Async.join(embedded.storage().users().addGroup("dTE", "admins")));
    var added = store.revocationsAfter(2, 10);
    assertEquals(1, added.size());
    assertEquals(4, added.get(0).seq(), "a number drawn before the migration is never drawn again");
    assertEquals(LoggedRevocation.Kind.GROUPS, added.get(0).kind());
    assertEquals("ok", embedded.integrityCheck());
  }

  @Test
  void migrate_versionThisBuildDoesNotKnow_isRefused() throws Exception {
    embedded.close();
    try (var c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve(EmbeddedStore.FILE_NAME));
        var s = c.createStatement()) {
      // A known version missing between two applied ones (a database migrated by another build, whose
      // list lacked V4): V4 is never applied out of order.
      s.executeUpdate("DELETE FROM schema_version WHERE version = 4");
    }
    var e = assertThrows(CredentialException.class, () -> EmbeddedStore.open(dir));
    assertEquals("schema_version has a gap", e.getMessage());
    embedded = EmbeddedStore.open(dir.resolve("other"));
  }

  @Test
  void versionsOf_mustIncreaseStrictly() {
    assertArrayEquals(new int[] {1, 2, 5}, MigrationVersions.versionsOf(List.of("V1__a.sql", "V2__b.sql", "V5__c.sql")));
    assertThrows(IllegalArgumentException.class, () -> MigrationVersions.versionsOf(List.of("V2__a.sql", "V1__b.sql")));
    assertThrows(IllegalArgumentException.class, () -> MigrationVersions.versionsOf(List.of("V1__a.sql", "V1__b.sql")));
    assertThrows(IllegalArgumentException.class, () -> MigrationVersions.versionsOf(List.of("init.sql")));
  }

  @Test
  void statements_splitOnLineEndingSemicolonsAndSkipComments() {
    assertEquals(List.of("CREATE TABLE a (x);", "CREATE TABLE b (\n  y\n);"),
        SchemaMigrations.statements("-- c\nCREATE TABLE a (x);\n\nCREATE TABLE b (\n  y\n);\n"));
  }

  @Test
  void addCredential_unknownUser_isRefusedByForeignKey() {
    // Foreign keys are on: a credential cannot point at a user that does not exist.
    var e = assertThrows(CredentialException.class, () -> store.addCredential(credential("bm9ib2R5", id(1))));
    assertEquals("unknown-user", e.type());
  }
}
