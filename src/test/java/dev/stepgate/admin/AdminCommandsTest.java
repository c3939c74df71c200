package dev.stepgate.admin;

import static org.junit.jupiter.api.Assertions.*;

import dev.stepgate.credential.BlockingStore;
import dev.stepgate.credential.StoredCredential;
import dev.stepgate.credential.User;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class AdminCommandsTest {
  @TempDir Path dir;
  final StringWriter out = new StringWriter();
  final StringWriter err = new StringWriter();

  Function<Optional<Path>, AdminSettings> settings() {
    return c -> new AdminSettings("https://gate.example.com/", dir);
  }

  int run(Callable<Integer> command, String... args) {
    var cl = new CommandLine(command);
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    return cl.execute(args);
  }

  User seedUser(String name, byte[]... credentialIds) {
    try (var store = BlockingStore.open(dir)) {
      var u = new User("dXNlci0" + name, name, name, Instant.parse("2026-01-01T00:00:00Z"));
      store.createUser(u);
      for (var id : credentialIds)
        store.addCredential(new StoredCredential(id, u.id(), new byte[] {1}, 0, true, false, false, Set.of(), "key",
            Instant.parse("2026-01-02T00:00:00Z"), Optional.empty(), new UUID(0, 0)));
      return u;
    }
  }

  @Test
  void invite_printsAnEnrollmentLinkWhoseTokenIsStoredOnlyAsHash() throws Exception {
    assertEquals(0, run(new InviteCommand(settings()), "Alice", "--ttl", "2h"), err.toString());
    var line = out.toString().strip();
    assertTrue(line.startsWith("https://gate.example.com/.stepgate/register?invite="), line);
    var token = line.substring(line.indexOf('=') + 1);
    var hash = MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.US_ASCII));
    try (var store = BlockingStore.open(dir)) {
      assertEquals(Optional.of("alice"), store.findInvite(hash, Instant.now()));
      assertEquals(Optional.empty(), store.findInvite(hash, Instant.now().plusSeconds(2 * 3600 + 1)));
    }
  }

  @Test
  void invite_badTtl_exitsTwoWithOneLine() {
    assertEquals(2, run(new InviteCommand(settings()), "alice", "--ttl", "7 days"));
    assertTrue(err.toString().contains("'7 days' is not a duration like 30m, 12h or 7d"), err.toString());
  }

  @Test
  void invite_missingUsername_exitsTwo() {
    assertEquals(2, run(new InviteCommand(settings())));
  }

  @Test
  void invite_unreadableConfig_exitsTwoAndStartsNothing() {
    assertEquals(2, run(new InviteCommand(), "alice", "--config", dir.resolve("missing.yaml").toString()));
    assertTrue(err.toString().startsWith("stepgate: bad config: "), err.toString());
    assertEquals(1, err.toString().strip().lines().count());
  }

  @Test
  void invite_help_exitsZero() {
    assertEquals(0, run(new InviteCommand(), "--help"));
    assertTrue(out.toString().contains("--ttl"));
  }

  @Test
  void usersList_printsEachUser() {
    seedUser("bob", new byte[] {1});
    seedUser("alice");
    assertEquals(0, run(new UsersCommand.ListUsers(settings())));
    var lines = out.toString().strip().lines().toList();
    assertEquals(2, lines.size());
    assertEquals("alice\tdXNlci0alice\t2026-01-01T00:00:00Z\t0 passkeys\tenabled\t-", lines.get(0));
    assertTrue(lines.get(1).endsWith("\t1 passkeys\tenabled\t-"));
  }

  @Test
  void users_withoutSubcommand_exitsTwo() {
    assertEquals(2, run(new UsersCommand()));
  }

  @Test
  void credentialsList_printsThePasskeys() {
    seedUser("alice", new byte[] {1, 2, 3});
    assertEquals(0, run(new CredentialsCommand.ListCredentials(settings()), "alice"));
    assertEquals("AQID\tkey\t2026-01-02T00:00:00Z\tnever\tdevice-bound", out.toString().strip());
  }

  @Test
  void credentialsList_unknownUser_exitsOne() {
    assertEquals(1, run(new CredentialsCommand.ListCredentials(settings()), "nobody"));
    assertEquals("stepgate: no such user: nobody", err.toString().strip());
  }

  @Test
  void credentialsRevoke_deletesAndAudits() {
    var u = seedUser("alice", new byte[] {1, 2, 3});
    assertEquals(0, run(new CredentialsCommand.Revoke(settings()), "alice", "AQID"));
    try (var store = BlockingStore.open(dir)) {
      assertEquals(0, store.listCredentials(u.id()).size());
      assertEquals("credential-revoked", store.recentEvents(1).get(0).kind());
    }
  }

  @Test
  void credentialsRevoke_anotherUsersPasskey_exitsOneAndKeepsIt() {
    seedUser("alice", new byte[] {1, 2, 3});
    seedUser("bob");
    assertEquals(1, run(new CredentialsCommand.Revoke(settings()), "bob", "AQID"));
    try (var store = BlockingStore.open(dir)) {
      assertTrue(store.findCredential(new byte[] {1, 2, 3}).isPresent());
    }
  }

  @Test
  void credentialsRevoke_badId_exitsTwo() {
    seedUser("alice");
    assertEquals(2, run(new CredentialsCommand.Revoke(settings()), "alice", "***"));
  }

  Function<Optional<Path>, AdminSettings> auditedSettings(Path auditFile) {
    return c -> new AdminSettings("https://gate.example.com/", new AdminSettings("https://gate.example.com/", dir).storage(),
        new dev.stepgate.config.GatewayConfig.Audit(dev.stepgate.config.GatewayConfig.AuditSink.FILE, auditFile),
        dev.stepgate.config.GatewayConfig.Notifications.NONE);
  }

  @Test
  void credentialsRevoke_andInvite_areAuditedAsAdminActions_withoutTheInviteToken() throws Exception {
    var u = seedUser("alice", new byte[] {1, 2, 3}, new byte[] {4, 5, 6});
    var file = dir.resolve("audit.log");
    assertEquals(0, run(new CredentialsCommand.Revoke(auditedSettings(file)), "alice", "AQID"), err.toString());
    assertEquals(0, run(new InviteCommand(auditedSettings(file)), "Bob"), err.toString());
    var link = out.toString().lines().filter(l -> l.contains("invite=")).findFirst().orElseThrow();
    var lines = java.nio.file.Files.readAllLines(file).stream().map(io.vertx.core.json.JsonObject::new).toList();
    assertEquals(java.util.List.of("passkey_revoked", "admin_action", "invite_issued", "admin_action"),
        lines.stream().map(j -> j.getString("event")).toList());
    assertEquals(u.id(), lines.get(0).getString("user"));
    assertEquals("AQID", lines.get(0).getString("credential"));
    assertEquals("credentials.revoke", lines.get(1).getString("action"));
    assertEquals("invite", lines.get(3).getString("action"));
    assertEquals("bob", lines.get(2).getString("username"));
    var token = link.substring(link.indexOf("invite=") + 7);
    assertFalse(java.nio.file.Files.readString(file).contains(token), "the invite token in the trail");
  }

  final java.util.List<dev.stepgate.audit.AuditEntry> trail = new java.util.concurrent.CopyOnWriteArrayList<>();

  <C extends StoreCommand> C audited(C command) {
    command.trail = trail::add;
    return command;
  }

  @Test
  void usersDisable_flagsTheUser_endsTheirSessions_andAudits() {
    var u = seedUser("alice");
    assertEquals(0, run(audited(new UsersCommand.Disable(settings())), "Alice"), err.toString());
    assertEquals("disabled alice", out.toString().strip());
    try (var store = BlockingStore.open(dir)) {
      assertTrue(store.findUserById(u.id()).orElseThrow().disabled());
      var entry = store.revocationsAfter(0, 10).get(0);
      assertEquals(u.id(), entry.userId());
      assertEquals(Optional.empty(), entry.credentialId(), "every session of the user");
      assertEquals("user-disabled", store.recentEvents(1).get(0).kind());
    }
    assertEquals(1, trail.size());
    assertEquals("admin_action", trail.get(0).event());
    assertEquals(Optional.of(u.id()), trail.get(0).user());
    assertEquals(java.util.Map.of("action", "users.disable", "target", "alice"), trail.get(0).fields());
  }

  @Test
  void usersEnable_clearsTheFlag_andAudits() {
    var u = seedUser("alice");
    assertEquals(0, run(new UsersCommand.Disable(settings()), "alice"));
    out.getBuffer().setLength(0);
    assertEquals(0, run(audited(new UsersCommand.Enable(settings())), "alice"), err.toString());
    assertEquals("enabled alice", out.toString().strip());
    try (var store = BlockingStore.open(dir)) {
      assertFalse(store.findUserById(u.id()).orElseThrow().disabled());
    }
    assertEquals("users.enable", trail.get(0).fields().get("action"));
  }

  @Test
  void usersList_showsDisabled() {
    seedUser("alice");
    seedUser("bob");
    assertEquals(0, run(new UsersCommand.Disable(settings()), "bob"));
    out.getBuffer().setLength(0);
    assertEquals(0, run(new UsersCommand.ListUsers(settings())));
    var lines = out.toString().strip().lines().toList();
    assertTrue(lines.get(0).endsWith("\tenabled\t-"), lines.get(0));
    assertTrue(lines.get(1).endsWith("\tdisabled\t-"), lines.get(1));
  }

  @Test
  void usersAddGroup_makesAMember_appendsAGroupsEntry_andAudits() {
    var u = seedUser("alice");
    assertEquals(0, run(audited(new UsersCommand.AddGroup(settings())), "Alice", "admins"), err.toString());
    assertEquals("added alice to admins", out.toString().strip());
    try (var store = BlockingStore.open(dir)) {
      assertEquals(Set.of("admins"), dev.stepgate.Async.join(store.storage().users().groups(u.id())));
      var entry = store.revocationsAfter(0, 10).get(0);
      assertEquals(dev.stepgate.credential.LoggedRevocation.Kind.GROUPS, entry.kind());
      assertEquals(u.id(), entry.userId());
      assertEquals("user-group-added", store.recentEvents(1).get(0).kind());
      assertFalse(store.findUserById(u.id()).orElseThrow().disabled());
    }
    assertEquals(1, trail.size());
    assertEquals("admin_action", trail.get(0).event());
    assertEquals(Optional.of(u.id()), trail.get(0).user());
    assertEquals(java.util.Map.of("action", "users.add-group", "target", "alice", "group", "admins"), trail.get(0).fields());
  }

  @Test
  void usersAddGroup_again_changesNothing_andAuditsNothing() {
    seedUser("alice");
    assertEquals(0, run(new UsersCommand.AddGroup(settings()), "alice", "admins"));
    out.getBuffer().setLength(0);
    assertEquals(0, run(audited(new UsersCommand.AddGroup(settings())), "alice", "admins"), err.toString());
    assertEquals("alice is already in admins", out.toString().strip());
    assertEquals(0, trail.size());
  }

  @Test
  void usersRemoveGroup_endsTheMembership_andAudits() {
    var u = seedUser("alice");
    assertEquals(0, run(new UsersCommand.AddGroup(settings()), "alice", "admins"));
    assertEquals(0, run(new UsersCommand.AddGroup(settings()), "alice", "ops"));
    out.getBuffer().setLength(0);
    assertEquals(0, run(audited(new UsersCommand.RemoveGroup(settings())), "alice", "admins"), err.toString());
    assertEquals("removed alice from admins", out.toString().strip());
    try (var store = BlockingStore.open(dir)) {
      assertEquals(Set.of("ops"), dev.stepgate.Async.join(store.storage().users().groups(u.id())));
      assertEquals("user-group-removed", store.recentEvents(1).get(0).kind());
    }
    assertEquals("users.remove-group", trail.get(0).fields().get("action"));
    out.getBuffer().setLength(0);
    assertEquals(0, run(new UsersCommand.RemoveGroup(settings()), "alice", "admins"));
    assertEquals("alice is not in admins", out.toString().strip());
  }

  @Test
  void usersList_showsTheGroups() {
    seedUser("alice");
    seedUser("bob");
    assertEquals(0, run(new UsersCommand.AddGroup(settings()), "alice", "ops"));
    assertEquals(0, run(new UsersCommand.AddGroup(settings()), "alice", "admins"));
    out.getBuffer().setLength(0);
    assertEquals(0, run(new UsersCommand.ListUsers(settings())));
    var lines = out.toString().strip().lines().toList();
    assertTrue(lines.get(0).endsWith("\tenabled\tadmins,ops"), lines.get(0));
    assertTrue(lines.get(1).endsWith("\tenabled\t-"), lines.get(1));
  }

  @Test
  void usersAddAndRemoveGroup_badGroupName_exitTwoWithOneLine_andChangeNothing() {
    var u = seedUser("alice");
    for (var bad : new String[] {"a,b", "_admins", "x".repeat(65), "ad mins", "grüppe"}) {
      for (var command : java.util.List.<StoreCommand>of(new UsersCommand.AddGroup(settings()), new UsersCommand.RemoveGroup(settings()))) {
        err.getBuffer().setLength(0);
        assertEquals(2, run(command, "alice", bad), bad);
        assertEquals("stepgate: invalid group name: " + dev.stepgate.GroupNames.problem(bad).orElseThrow(), err.toString().strip());
      }
    }
    try (var store = BlockingStore.open(dir)) {
      assertEquals(Set.of(), dev.stepgate.Async.join(store.storage().users().groups(u.id())));
      assertEquals(0, store.lastRevocationSeq());
    }
  }

  @Test
  void usersAddGroup_unknownUser_exitsOneWithOneLine() {
    assertEquals(1, run(new UsersCommand.AddGroup(settings()), "nobody", "admins"));
    assertEquals("stepgate: no such user: nobody", err.toString().strip());
    err.getBuffer().setLength(0);
    assertEquals(1, run(new UsersCommand.RemoveGroup(settings()), "nobody", "admins"));
    assertEquals("stepgate: no such user: nobody", err.toString().strip());
  }

  @Test
  void usersAddGroup_pastTheLimit_exitsOneWithOneLine() {
    seedUser("alice");
    for (int i = 0; i < dev.stepgate.GroupNames.MAX_PER_USER; i++)
      assertEquals(0, run(new UsersCommand.AddGroup(settings()), "alice", "g" + i));
    assertEquals(1, run(new UsersCommand.AddGroup(settings()), "alice", "one-more"));
    assertEquals("stepgate: A user belongs to at most 64 groups.", err.toString().strip());
  }

  @Test
  void usersDisable_unknownUser_exitsOneWithOneLine() {
    assertEquals(1, run(new UsersCommand.Disable(settings()), "nobody"));
    assertEquals("stepgate: no such user: nobody", err.toString().strip());
  }

  @Test
  void usersDisableAndEnable_badArguments_exitTwoWithOneLine() {
    // Parse errors go through the real command tree and its one-line handler; nothing is opened.
    for (var args : new String[][] {
        {"users", "disable"}, {"users", "enable"}, {"users", "disable", "a", "b"}, {"users", "enable", "--nope", "alice"},
        {"users", "add-group", "alice"}, {"users", "remove-group"}, {"users", "add-group", "alice", "admins", "x"},
        {"users", "add-group", "alice", "-admins"},
        {"credentials", "rename", "alice", "AQID"}, {"credentials", "rename", "alice", "AQID", "x", "y"}}) {
      var cli = Cli.commandLine();
      var e = new StringWriter();
      cli.setOut(new PrintWriter(new StringWriter()));
      cli.setErr(new PrintWriter(e, true));
      assertEquals(2, cli.execute(args), String.join(" ", args));
      assertEquals(1, e.toString().strip().lines().count(), e.toString());
      assertTrue(e.toString().startsWith("stepgate: "), e.toString());
    }
    for (var bad : new String[] {" ", "x".repeat(65)}) {
      for (var command : java.util.List.<StoreCommand>of(new UsersCommand.Disable(settings()), new UsersCommand.Enable(settings()))) {
        err.getBuffer().setLength(0);
        assertEquals(2, run(command, bad));
        assertEquals(1, err.toString().strip().lines().count(), err.toString());
        assertTrue(err.toString().startsWith("stepgate: invalid username: "), err.toString());
      }
    }
  }

  @Test
  void usersDisable_unreadableConfig_exitsTwoAndChangesNothing() {
    assertEquals(2, run(new UsersCommand.Disable(), "alice", "--config", dir.resolve("missing.yaml").toString()));
    assertTrue(err.toString().startsWith("stepgate: bad config: "), err.toString());
    assertEquals(1, err.toString().strip().lines().count());
  }

  @Test
  void credentialsRename_changesTheLabel_andAudits() {
    seedUser("alice", new byte[] {1, 2, 3});
    assertEquals(0, run(audited(new CredentialsCommand.Rename(settings())), "alice", "AQID", "Work laptop"), err.toString());
    assertEquals("renamed AQID", out.toString().strip());
    try (var store = BlockingStore.open(dir)) {
      assertEquals("Work laptop", store.findCredential(new byte[] {1, 2, 3}).orElseThrow().label());
    }
    assertEquals(java.util.Map.of("action", "credentials.rename", "target", "alice"), trail.get(0).fields());
  }

  @Test
  void credentialsRename_anotherUsersPasskey_exitsOneAndKeepsTheLabel() {
    seedUser("alice", new byte[] {1, 2, 3});
    seedUser("bob");
    assertEquals(1, run(new CredentialsCommand.Rename(settings()), "bob", "AQID", "mine"));
    assertEquals("stepgate: bob has no passkey AQID", err.toString().strip());
    try (var store = BlockingStore.open(dir)) {
      assertEquals("key", store.findCredential(new byte[] {1, 2, 3}).orElseThrow().label());
    }
  }

  @Test
  void credentialsRename_badLabel_exitsTwoWithOneLine() {
    seedUser("alice", new byte[] {1, 2, 3});
    for (var bad : new String[] {"", "<b>", "x".repeat(65), "a\tb"}) {
      err.getBuffer().setLength(0);
      assertEquals(2, run(new CredentialsCommand.Rename(settings()), "alice", "AQID", bad), bad);
      assertTrue(err.toString().startsWith("stepgate: LABEL: The passkey name "), err.toString());
      assertEquals(1, err.toString().strip().lines().count());
    }
  }

  @Test
  void credentialsRename_missingLabel_exitsTwo() {
    assertEquals(2, run(new CredentialsCommand.Rename(settings()), "alice", "AQID"));
  }

  @Test
  void credentialsRevoke_audits() {
    seedUser("alice", new byte[] {1, 2, 3});
    assertEquals(0, run(audited(new CredentialsCommand.Revoke(settings())), "alice", "AQID"));
    assertEquals(java.util.List.of("passkey_revoked", "admin_action"), trail.stream().map(e -> e.event()).toList());
    assertEquals(java.util.Map.of("action", "credentials.revoke", "target", "alice"), trail.get(1).fields());
  }

  @Test
  void credentials_invalidUsername_exitsTwo() {
    assertEquals(2, run(new CredentialsCommand.ListCredentials(settings()), " "));
    assertEquals("stepgate: invalid username: username must not be blank", err.toString().strip());
  }

  @Test
  void stepgate_listsTheLifecycleSubcommands() {
    var cl = new CommandLine(new StepgateCommand());
    assertTrue(cl.getSubcommands().get("users").getSubcommands().keySet().containsAll(java.util.Set.of("list", "disable", "enable", "add-group", "remove-group")));
    assertTrue(cl.getSubcommands().get("credentials").getSubcommands().keySet().containsAll(java.util.Set.of("list", "revoke", "rename")));
  }

  @Test
  void recoveryLink_isAudited_withoutItsToken() {
    seedUser("alice");
    assertEquals(0, run(new RecoveryLinkCommand(settings(), trail::add, java.time.Clock.systemUTC()), "alice"), err.toString());
    var link = out.toString().strip();
    assertTrue(link.startsWith("https://gate.example.com/.stepgate/recover?token="), link);
    assertEquals(java.util.List.of("recovery_link_issued", "admin_action"), trail.stream().map(e -> e.event()).toList());
    assertEquals(java.util.Map.of("action", "recovery-link", "target", "alice"), trail.get(1).fields());
    var token = link.substring(link.indexOf("token=") + 6);
    assertFalse(trail.toString().contains(token), "the token in the trail");
  }

}
