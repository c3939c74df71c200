package dev.stepgate.postgres;

import static dev.stepgate.Async.join;
import static org.junit.jupiter.api.Assertions.*;

import dev.stepgate.credential.CredentialException;
import dev.stepgate.testing.PostgresServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code sslmode} in {@code storage.url} is honoured: the store talks TLS to a server that offers it. */
class PostgresTlsTest {
  static PostgresServer server;

  @BeforeAll
  static void start() {
    server = PostgresServer.start(true);
  }

  @AfterAll
  static void stop() {
    if (server != null) server.close();
  }

  @Test
  void open_sslModeRequire_connectsOverTls() {
    var url = server.newDatabase();
    try (var store = PostgresStore.open(url + "?sslmode=require")) {
      assertEquals(0L, join(store.storage().revocations().lastSeq()));
      var db = PostgresServer.databaseOf(url);
      assertEquals("t", server.psql(db, "SELECT bool_and(ssl) FROM pg_stat_ssl JOIN pg_stat_activity USING (pid) "
          + "WHERE datname = current_database() AND backend_type = 'client backend' AND client_addr IS NOT NULL"));
    }
  }

  @Test
  void open_verifyFullWithTheServersCertificateAsRoot_connects() {
    var url = server.newDatabase() + "?sslmode=verify-full&sslrootcert=" + server.certificate();
    try (var store = PostgresStore.open(url)) {
      assertEquals(0L, join(store.storage().revocations().lastSeq()));
    }
  }

  @Test
  void open_verifyFullWithAnUntrustedCertificate_isRefused() {
    var url = server.newDatabase() + "?sslmode=verify-full";
    var e = assertThrows(CredentialException.class, () -> PostgresStore.open(url));
    assertEquals("storage-unavailable", e.type());
  }
}
