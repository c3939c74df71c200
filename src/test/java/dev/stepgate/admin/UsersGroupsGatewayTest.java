package dev.stepgate.admin;

import static dev.stepgate.admin.CredentialsRevokeGatewayTest.PROMISE_MS;
import static dev.stepgate.admin.CredentialsRevokeGatewayTest.cli;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.fail;

import dev.stepgate.server.Gateway;
import dev.stepgate.testing.Gateways;
import dev.stepgate.testing.PasskeyUser;
import dev.stepgate.testing.TestUpstream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code users add-group} and {@code remove-group} run from the command line (their own store
 * connection, as another process has) while a gateway runs on the same store: within a second
 * the assertion the upstream receives carries the new groups (checked against the published JWKS
 * only), and so do the compatibility headers, and an {@code allow: { groups: [...] }} rule lets
 * the user pass (or no longer); the session stays signed in throughout. A groups header the
 * client sends never reaches the upstream.
 */
class UsersGroupsGatewayTest {
  /** What a client sends to name its own groups: every spelling must be stripped. */
  static final String[] FORGED = {"Remote-Groups", "root", "X-Forwarded-Groups", "root", "remote_groups", "root",
      "X.Forwarded.Groups", "root"};

  static final String POLICY = Gateways.ADMIN_DENIED_PRIVATE_SIGNED_IN + """
        - name: ops-console
          match: { paths: ["/ops/**"] }
          require: authenticated
          allow: { groups: [admins] }
      """;

  @TempDir Path dir;
  TestUpstream upstream;
  Gateway gateway;
  String base;
  Path config;

  @BeforeEach
  void start() throws Exception {
    upstream = new TestUpstream();
    var started = Gateways.withPolicy(upstream.url(), dir, POLICY,
        "assertion: { compat_headers: [authelia, oauth2-proxy] }\n" + extraYaml());
    gateway = started.gateway();
    base = started.base();
    config = dir.resolve("cli.yaml");
    Files.writeString(config, "upstream: " + upstream.url() + "\npublic_url: " + base + "\nstorage: { path: "
        + dir.resolve("data") + " }\n");
  }

  /** Config added to the gateway's; the twin without the relay overrides it. */
  String extraYaml() {
    return "";
  }

  @AfterEach
  void stop() throws Exception {
    gateway.close();
    upstream.close();
  }

  @Test
  void addAndRemoveGroup_reachTheUpstreamWithinASecond_andTheSessionStays() throws Exception {
    var alice = new PasskeyUser(base);
    alice.enroll("alice");
    var bob = new PasskeyUser(base);
    bob.enroll("bob");

    var before = get(alice);
    assertNull(alice.verify(before.headers().get("X-Stepgate-Assertion")).getClaim("groups"));
    assertNoGroupsHeaders(before);

    users("add-group", "alice", "ops");
    users("add-group", "alice", "admins");
    var added = getUntil(alice, r -> groupsClaim(alice, r).equals(List.of("admins", "ops")));
    assertEquals("admins,ops", added.headers().get("Remote-Groups"));
    assertEquals("admins,ops", added.headers().get("X-Forwarded-Groups"));
    assertEquals(List.of("admins", "ops"), added.headers().getAll("Remote-Groups").stream()
        .flatMap(v -> List.of(v.split(",")).stream()).toList(), "the client's forged value is not among them");

    var other = get(bob);
    assertNull(bob.verify(other.headers().get("X-Stepgate-Assertion")).getClaim("groups"), "only alice's groups changed");
    assertNoGroupsHeaders(other);

    users("remove-group", "alice", "ops");
    var one = getUntil(alice, r -> groupsClaim(alice, r).equals(List.of("admins")));
    assertEquals("admins", one.headers().get("Remote-Groups"));

    users("remove-group", "alice", "admins");
    var none = getUntil(alice, r -> !alice.verify(r.headers().get("X-Stepgate-Assertion")).getClaims().containsKey("groups"));
    assertNoGroupsHeaders(none);
    assertEquals("alice", none.headers().get("X-Stepgate-User"));
  }

  @Test
  void allowGroups_admitsTheUserWithinASecondOfAddGroup_andRefusesWithinASecondOfRemoveGroup() throws Exception {
    var alice = new PasskeyUser(base);
    alice.enroll("alice");
    assertEquals(403, console(alice), "not in admins yet");

    users("add-group", "alice", "admins");
    consoleAnswersWithin(alice, 200);
    assertEquals("/ops/panel", upstream.last().uri());

    users("remove-group", "alice", "admins");
    consoleAnswersWithin(alice, 403);
    get(alice); // still signed in: the private route answers 200
  }

  int console(PasskeyUser user) throws Exception {
    // Forged groups headers do not count for allow either.
    return user.send("GET", "/ops/panel", null, FORGED).statusCode();
  }

  void consoleAnswersWithin(PasskeyUser user, int status) throws Exception {
    long deadline = System.nanoTime() + PROMISE_MS * 1_000_000L;
    int last;
    do {
      last = console(user);
      if (last == status) return;
      assertEquals(status == 200 ? 403 : 200, last, "only the old answer until then (never a sign-in prompt)");
      Thread.sleep(20);
    } while (System.nanoTime() < deadline);
    fail("/ops/panel still answered " + last + " " + PROMISE_MS + " ms after the change");
  }

  @Test
  void usersList_showsTheGroups() throws Exception {
    new PasskeyUser(base).enroll("alice");
    users("add-group", "alice", "admins");
    var r = cli("users", "list", "--config", config.toString());
    assertEquals(0, r.code(), r.err());
    assertEquals("admins", r.out().strip().lines().toList().get(0).split("\t")[5]);
  }

  // ---- helpers

  interface Check {
    boolean test(TestUpstream.Received r) throws Exception;
  }

  /** A signed-in request with forged groups headers: 200, as the upstream received it. */
  TestUpstream.Received get(PasskeyUser user) throws Exception {
    upstream.clear();
    var r = user.send("GET", "/private/statement", null, FORGED);
    assertEquals(200, r.statusCode(), "the session stays signed in: " + r.body());
    return upstream.last();
  }

  /** Polls (every request signed in) until {@code done}; fails if that takes longer than promised. */
  TestUpstream.Received getUntil(PasskeyUser user, Check done) throws Exception {
    long deadline = System.nanoTime() + PROMISE_MS * 1_000_000L;
    TestUpstream.Received last;
    do {
      last = get(user);
      if (done.test(last)) return last;
      Thread.sleep(20);
    } while (System.nanoTime() < deadline);
    fail("the upstream still saw the old groups " + PROMISE_MS + " ms after the change: "
        + user.verify(last.headers().get("X-Stepgate-Assertion")).getClaim("groups"));
    return last;
  }

  static List<String> groupsClaim(PasskeyUser user, TestUpstream.Received r) throws Exception {
    var groups = user.verify(r.headers().get("X-Stepgate-Assertion")).getStringListClaim("groups");
    return groups == null ? List.of() : groups;
  }

  static void assertNoGroupsHeaders(TestUpstream.Received r) {
    for (var name : r.headers().names()) {
      var n = name.toLowerCase(java.util.Locale.ROOT).replace('_', '-').replace('.', '-');
      assertFalse(n.equals("remote-groups") || n.equals("x-forwarded-groups"), name + ": " + r.headers().get(name));
    }
  }

  void users(String action, String username, String group) {
    var r = cli("users", action, "--config", config.toString(), username, group);
    assertEquals(0, r.code(), r.err());
  }
}
