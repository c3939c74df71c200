package dev.stepgate.postgres;

import static dev.stepgate.Async.join;
import static org.junit.jupiter.api.Assertions.*;

import dev.stepgate.credential.CredentialException;
import dev.stepgate.testing.PostgresServer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Opening a Postgres store migrates its schema once, safely with many nodes, and refuses a schema it does not know. */
@ExtendWith(PostgresServer.Shared.class)
class PostgresMigrationsTest {
  final PostgresServer server = PostgresServer.shared();

  @Test
  void open_fourNodesAtOnceOnAnEmptyDatabase_allSucceedAndTheSchemaIsAppliedOnce() throws Exception {
    var url = server.newDatabase();
    int nodes = 4;
    var go = new CountDownLatch(1);
    var pool = Executors.newFixedThreadPool(nodes);
    try {
      var opened = new ArrayList<Future<PostgresStore>>();
      for (int i = 0; i < nodes; i++) {
        opened.add(pool.submit((Callable<PostgresStore>) () -> {
          go.await();
          return PostgresStore.open(url);
        }));
      }
      go.countDown();
      var stores = new ArrayList<PostgresStore>();
      for (var f : opened) stores.add(f.get(60, TimeUnit.SECONDS));
      try {
        var db = PostgresServer.databaseOf(url);
        assertEquals("1|V1__init.sql\n2|V2__revocations.sql\n3|V3__install_secrets.sql\n4|V4__recovery.sql\n5|V5__user_disabled.sql\n6|V6__user_groups.sql", server.psql(db, "SELECT version, name FROM schema_version ORDER BY version"));
        // Every node works on the one schema.
        for (var s : stores) assertEquals(0L, join(s.storage().revocations().lastSeq()));
      } finally {
        stores.forEach(PostgresStore::close);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void open_again_appliesNothingNew() {
    var url = server.newDatabase();
    PostgresStore.open(url).close();
    var db = PostgresServer.databaseOf(url);
    var before = server.psql(db, "SELECT version, checksum, applied_at FROM schema_version ORDER BY version");
    PostgresStore.open(url).close();
    assertEquals(before, server.psql(db, "SELECT version, checksum, applied_at FROM schema_version ORDER BY version"));
  }

  @Test
  void open_editedMigration_isRefused() {
    var url = server.newDatabase();
    PostgresStore.open(url).close();
    server.psql(PostgresServer.databaseOf(url), "UPDATE schema_version SET checksum = 'edited' WHERE version = 1");
    var e = assertThrows(CredentialException.class, () -> PostgresStore.open(url));
    assertEquals("storage-schema-invalid", e.type());
    assertEquals("migration V1__init.sql changed after it was applied", e.getMessage());
  }

  @Test
  void migrateToV6_fromAVersion5DatabaseWithRevocations_keepsThem_andAcceptsGroupsEntries() {
    var url = server.newDatabase();
    PostgresStore.open(url).close();
    var db = PostgresServer.databaseOf(url);
    // Back to version 5 as V2 and V5 left it, with entries of both old kinds.
    server.psql(db, "DROP TABLE user_groups; ALTER TABLE revocations DROP CONSTRAINT revocations_kind_check; "
        + "ALTER TABLE revocations ADD CONSTRAINT revocations_kind_check CHECK (kind IN ('credential', 'user')); "
        + "DELETE FROM schema_version WHERE version = 6; "
        + "INSERT INTO users (id, username, display_name, created_at) VALUES ('dTE', 'u1', 'u1', 0); "
        + "INSERT INTO revocations (at, kind, user_id, credential_id) VALUES (1, 'credential', 'dTE', '\\x0102'); "
        + "INSERT INTO revocations (at, kind, user_id) VALUES (2, 'user', 'dTE')");
    var store = PostgresStore.open(url);
    try {
      var kept = join(store.storage().revocations().after(0, 10));
      assertEquals(java.util.List.of(dev.stepgate.credential.LoggedRevocation.Kind.CREDENTIAL,
          dev.stepgate.credential.LoggedRevocation.Kind.USER), kept.stream().map(r -> r.kind()).toList());
      assertEquals(true, join(store.storage().users().addGroup("dTE", "admins")));
      var added = join(store.storage().revocations().after(kept.get(1).seq(), 10));
      assertEquals(dev.stepgate.credential.LoggedRevocation.Kind.GROUPS, added.get(0).kind());
    } finally {
      store.close();
    }
  }

  @Test
  void open_databaseNewerThanTheBuild_isRefused() {
    var url = server.newDatabase();
    PostgresStore.open(url).close();
    server.psql(PostgresServer.databaseOf(url), "INSERT INTO schema_version VALUES (7, 'V7__future.sql', 'x', 0)");
    var e = assertThrows(CredentialException.class, () -> PostgresStore.open(url));
    assertEquals("storage-schema-invalid", e.type());
    assertEquals("database schema version 7 is newer than this build supports (6)", e.getMessage());
  }

  @Test
  void open_noServerListening_failsUnavailableWithinItsBound() {
    var url = "postgresql://postgres:secret@127.0.0.1:" + closedPort() + "/nothing";
    long start = System.nanoTime();
    var e = assertThrows(CredentialException.class, () -> PostgresStore.open(url));
    assertEquals("storage-unavailable", e.type());
    assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(10), "open must fail promptly");
  }

  @Test
  void open_wrongPassword_failsUnavailableWithoutNamingIt() {
    var url = server.url("postgres").replaceFirst(":[0-9a-f]+@", ":not-the-password@");
    var e = assertThrows(CredentialException.class, () -> PostgresStore.open(url));
    assertEquals("storage-unavailable", e.type());
    assertFalse(String.valueOf(e.getMessage()).contains("not-the-password"));
    assertFalse(String.valueOf(e.getCause().getMessage()).contains("not-the-password"));
  }

  @Test
  void open_sslModeRequireAgainstAServerWithoutTls_isRefusedNotDowngraded() {
    var url = server.newDatabase() + "?sslmode=require";
    var e = assertThrows(CredentialException.class, () -> PostgresStore.open(url));
    assertEquals("storage-unavailable", e.type());
  }

  @Test
  void connectOptions_notAPostgresUrl_isRefusedWithoutRepeatingIt() {
    for (var url : List.of("mysql://u:hunter2@h/db", "postgresql://u:hunter2@h:notaport/db")) {
      var e = assertThrows(CredentialException.class, () -> PostgresStore.connectOptions(url), url);
      assertEquals("invalid-config", e.type());
      assertFalse(e.getMessage().contains("hunter2"));
    }
  }

  @Test
  void connectOptions_readTheUrlAsTheClientDoes() {
    var o = PostgresStore.connectOptions("postgresql://gate:pw@db.example:6543/stepgate?sslmode=require");
    assertEquals("db.example", o.getHost());
    assertEquals(6543, o.getPort());
    assertEquals("gate", o.getUser());
    assertEquals("stepgate", o.getDatabase());
    assertEquals(io.vertx.pgclient.SslMode.REQUIRE, o.getSslMode());
  }

  static int closedPort() {
    try (var s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
