package dev.stepgate.admin;

import static dev.stepgate.Async.join;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stepgate.credential.CredentialId;
import dev.stepgate.credential.StoredCredential;
import dev.stepgate.credential.User;
import dev.stepgate.postgres.PostgresStore;
import dev.stepgate.testing.PostgresServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@ExtendWith(PostgresServer.Shared.class)
class CliTest {
  record Result(int code, String out, String err) {}

  static Result run(String... args) {
    var cli = Cli.commandLine();
    var out = new StringWriter();
    var err = new StringWriter();
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    int code = cli.execute(args);
    return new Result(code, out.toString(), err.toString());
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "run", "demo"})
  void help_everyCommand_printsUsageAndExitsZero(String command) {
    var args = command.isEmpty() ? new String[] {"--help"} : new String[] {command, "--help"};
    var r = run(args);
    assertEquals(0, r.code());
    assertTrue(r.out().startsWith("Usage: stepgate"), r.out());
  }

  @Test
  void unknownCommand_isOneLineOnStderrAndExitTwo() {
    var r = run("frobnicate");
    assertEquals(2, r.code());
    assertEquals(1, r.err().strip().lines().count(), r.err());
    assertTrue(r.err().startsWith("stepgate: Unmatched argument"), r.err());
  }

  @Test
  void run_withoutConfig_exitsTwo() {
    var r = run("run");
    assertEquals(2, r.code());
    assertTrue(r.err().contains("--config"), r.err());
  }

  @Test
  void run_badConfig_printsEachProblemAndExitsTwoWithoutStarting(@TempDir Path dir) throws Exception {
    var f = dir.resolve("gw.yaml");
    Files.writeString(f, "listen: nonsense\n");
    var r = run("run", "--config", f.toString());
    assertEquals(2, r.code());
    assertEquals("stepgate: " + f + ":1:9: listen: 'nonsense' is not host:port\n"
        + "stepgate: " + f + ":1:1: upstream: required (the URL of the app behind the gateway)\n", r.err());
  }

  @Test
  void cdsTraining_runsTheDemoOnFreePortsAndExitsZero_leavingNothingBehind() throws Exception {
    var tmp = java.nio.file.Path.of(System.getProperty("java.io.tmpdir"));
    java.util.function.Supplier<Long> leftovers = () -> {
      try (var files = java.nio.file.Files.list(tmp)) {
        return files.filter(f -> f.getFileName().toString().startsWith("stepgate-cds-")).count();
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    };
    long before = leftovers.get();
    var r = run("cds-training");
    assertEquals(0, r.code(), r.err());
    assertEquals(before, leftovers.get(), "its temporary directory is gone");
    assertFalse(run("--help").out().contains("cds-training"), "a build tool, not in the help");
  }

  @Test
  void demoApp_badListen_isOneLineAndExitTwo() {
    var r = run("demo-app", "--listen", "nowhere");
    assertEquals(2, r.code());
    assertEquals("stepgate: --listen: 'nowhere' is not host:port (see --help)\n", r.err());
  }

  @Test
  void demoApp_servesTheDemoAppAlone() throws Exception {
    int port;
    try (var s = new java.net.ServerSocket(0)) {
      port = s.getLocalPort();
    }
    try (var app = dev.stepgate.server.Demo.appOnly("127.0.0.1", port, java.util.Optional.empty(),
        java.net.URI.create("http://127.0.0.1:" + port))) {
      var res = java.net.http.HttpClient.newHttpClient().send(
          java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port + "/")).build(),
          java.net.http.HttpResponse.BodyHandlers.ofString());
      assertEquals(200, res.statusCode());
      assertTrue(res.body().contains("Acme Bank"), res.body());
    }
  }

  @Test
  void noCommand_exitsTwo() {
    assertEquals(2, run().code());
  }

  // ---- the admin commands against storage.driver: postgres (issue 12)

  static Path postgresConfig(Path dir, String url) throws Exception {
    var f = dir.resolve("gw.yaml");
    Files.writeString(f, "upstream: http://127.0.0.1:3000\npublic_url: https://gate.example.com\n"
        + "storage:\n  driver: postgres\n  url: \"" + url + "\"\n");
    return f;
  }

  @Test
  void adminCommands_onPostgres_listInviteRevokeAndRotateInTheSharedDatabase(@TempDir Path dir) throws Exception {
    var url = PostgresServer.shared().newDatabase();
    var config = postgresConfig(dir, url).toString();
    var id = new byte[] {7, 7, 7};
    try (var store = PostgresStore.open(url)) {
      // What a gateway node would have written.
      var u = new User("dXNlci1hbGljZQ", "alice", "Alice", Instant.parse("2026-01-01T00:00:00Z"));
      join(store.storage().users().create(u));
      join(store.storage().passkeys().add(new StoredCredential(id, u.id(), new byte[] {1}, 0, true, false, false,
          Set.of(), "laptop", Instant.parse("2026-01-02T00:00:00Z"), Optional.empty(), new UUID(0, 0))));
    }

    var users = run("users", "list", "--config", config);
    assertEquals(0, users.code(), users.err());
    assertTrue(users.out().startsWith("alice\tdXNlci1hbGljZQ\t"), users.out());

    var invite = run("invite", "bob", "--config", config);
    assertEquals(0, invite.code(), invite.err());
    assertTrue(invite.out().startsWith("https://gate.example.com/.stepgate/register?invite="), invite.out());

    var revoke = run("credentials", "revoke", "alice", CredentialId.of(id).base64url(), "--config", config);
    assertEquals(0, revoke.code(), revoke.err());
    var rotate = run("keys", "rotate", "--config", config);
    assertEquals(0, rotate.code(), rotate.err());

    try (var store = PostgresStore.open(url)) {
      var s = store.storage();
      assertEquals(List.of(), join(s.passkeys().ofUser("dXNlci1hbGljZQ")));
      // The revocation reaches running gateways through the shared change record.
      var logged = join(s.revocations().after(0, 10));
      assertEquals(1, logged.size());
      assertEquals(Optional.of(CredentialId.of(id)), logged.get(0).credentialId());
      // The rotated-in key is the current one of every node.
      var newKid = rotate.out().lines().filter(l -> l.startsWith("new signing key: ")).findFirst().orElseThrow().substring(17);
      var current = join(s.signingKeys().all()).stream().filter(k -> k.retiredAt().isEmpty()).toList();
      assertEquals(List.of(newKid), current.stream().map(k -> k.kid()).toList());
    }
    assertEquals("1", PostgresServer.shared().psql(PostgresServer.databaseOf(url),
        "SELECT count(*) FROM invites WHERE username = 'bob' AND used_at IS NULL"));
  }

  @Test
  void adminCommand_postgresUnreachable_oneLineAndExitOne(@TempDir Path dir) throws Exception {
    int port;
    try (var s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    var r = run("users", "list", "--config", postgresConfig(dir, "postgresql://gate:hunter2@127.0.0.1:" + port + "/x").toString());
    assertEquals(1, r.code(), r.err());
    assertEquals("stepgate: The credential store is unavailable.\n", r.err());
    assertFalse(r.err().contains("hunter2"));
  }

  @Test
  void adminCommand_postgresWithoutUrl_isBadConfigExitTwo(@TempDir Path dir) throws Exception {
    var f = dir.resolve("gw.yaml");
    Files.writeString(f, "upstream: http://127.0.0.1:3000\nstorage:\n  driver: postgres\n");
    var r = run("users", "list", "--config", f.toString());
    assertEquals(2, r.code(), r.err());
    assertTrue(r.err().startsWith("stepgate: bad config: " + f + ":3:11: storage.url: required with storage.driver: postgres"), r.err());
  }
}
