package dev.stepgate.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class PolicyCommandTest {
  @TempDir Path dir;

  record Run(int exit, String out, String err) {}

  static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit = new CommandLine(new PolicyCommand())
        .setOut(new PrintWriter(out)).setErr(new PrintWriter(err)).execute(args);
    return new Run(exit, out.toString(), err.toString());
  }

  @Test
  void check_validFile_exitsZeroAndPrintsWarnings() throws Exception {
    Path f = Files.writeString(dir.resolve("p.yaml"), """
        version: 1
        rules:
          - {name: all, match: {paths: ["/**"]}, require: authenticated}
          - {name: sub, match: {paths: ["/a"]}, require: public}
        """);
    Run r = run("check", f.toString());
    assertEquals(0, r.exit());
    assertEquals(f + ":4:5: rule 'sub' is shadowed by rule 'all'\n"
        + f + ": OK, 2 rules in 1 file, 1 warning(s)\n", r.out());
  }

  @Test
  void check_withoutPath_readsPoliciesDirectory() {
    Run r = run("check");
    assertEquals(0, r.exit());
    assertEquals("policies: OK, 8 rules in 1 file\n", r.out());
  }

  @Test
  void check_brokenFile_exitsOneWithPositions() throws Exception {
    Path f = Files.writeString(dir.resolve("p.yaml"), "version: 2\n");
    Run r = run("check", f.toString());
    assertEquals(1, r.exit());
    assertEquals(f + ":1:10: version: unsupported version '2' (expected 1)\n"
        + f + ": 1 error(s)\n", r.out());
  }

  @Test
  void check_missingPath_exitsOne() {
    Run r = run("check", dir.resolve("none").toString());
    assertEquals(1, r.exit());
    assertTrue(r.out().startsWith(dir.resolve("none") + ": no such file or directory\n"), r.out());
  }

  @Test
  void explain_showsRuleThreeCallersAndPassedOver() {
    Run r = run("explain", "--policies", "policies/demo.yaml", "POST",
        "http://localhost:8080/account/./x/../email?a=1");
    assertEquals(0, r.exit(), r.err());
    String[] lines = r.out().split("\n");
    assertEquals("request: POST /account/email (host localhost)", lines[0]);
    assertEquals("rule: change-email (policies/demo.yaml:21:5)", lines[1]);
    assertTrue(lines[2].startsWith("  anonymous:     LOGIN by change-email"), lines[2]);
    assertTrue(lines[3].startsWith("  signed in:     STEP_UP by change-email"), lines[3]);
    assertTrue(lines[4].startsWith("  fresh step-up: ALLOW by change-email"), lines[4]);
    assertEquals("passed over:", lines[5]);
    assertEquals("  assets (policies/demo.yaml:9:5): path /account/email matches none of"
        + " [/static/**, /favicon.ico]", lines[6]);
  }

  @Test
  void explain_oneTimeRule_isAllowedForAStepUpMadeAtItsOwnPrompt() {
    Run r = run("explain", "--policies", "policies/demo.yaml", "POST", "/payouts/destination");
    assertEquals(0, r.exit(), r.err());
    assertTrue(r.out().contains("  fresh step-up: ALLOW by payout-destination: "), r.out());
  }

  @Test
  void explain_withAccept_addsSpecResponse() {
    Run r = run("explain", "--policies", "policies/demo.yaml", "--header-accept", "application/json",
        "GET", "/payouts");
    assertTrue(r.out().contains("-> 401 step-up-required, WWW-Authenticate: Bearer"
        + " error=\"insufficient_user_authentication\", error_description=\"a fresh passkey assertion is required\","
        + " max_age=120\n"), r.out());
  }

  @Test
  void explain_badUrl_exitsTwoWithReason() {
    Run r = run("explain", "--policies", "policies/demo.yaml", "GET", "ftp://x/y");
    assertEquals(2, r.exit());
    assertEquals("URL must be absolute (http or https) or start with '/': ftp://x/y",
        r.err().lines().findFirst().orElseThrow());
  }

  @Test
  void explain_withUserAndGroups_showsThatCallersDecisionAndWhy() {
    String policies = "policies/examples/who-may-pass.yaml";
    Run in = run("explain", "--policies", policies, "--user", "ann", "--group", "staff", "--group", "admins",
        "GET", "/admin/users");
    assertEquals(0, in.exit(), in.err());
    String[] lines = in.out().split("\n");
    assertEquals("rule: admin-area (" + policies + ":15:5)", lines[1]);
    assertEquals("allow: groups [admins]", lines[2]);
    assertEquals("caller: ann, groups [admins, staff]", lines[3]);
    assertEquals("  anonymous:     LOGIN by admin-area: rule 'admin-area' requires step_up within 10m;"
        + " not signed in", lines[4]);
    assertEquals("  signed in:     STEP_UP by admin-area: rule 'admin-area' requires step_up within 10m;"
        + " group 'admins' is in allow.groups; no step-up in this session", lines[5]);
    assertTrue(lines[6].startsWith("  fresh step-up: ALLOW by admin-area: rule 'admin-area' requires step_up"
        + " within 10m; group 'admins' is in allow.groups; step-up "), lines[6]);

    Run out = run("explain", "--policies", policies, "--user", "fay", "--group", "finance",
        "GET", "/admin/users");
    assertEquals(0, out.exit(), out.err());
    assertTrue(out.out().contains("  signed in:     DENY by admin-area: rule 'admin-area' requires step_up"
        + " within 10m; no group of user 'fay' is in allow.groups [admins]\n"), out.out());
    assertTrue(out.out().contains("  fresh step-up: DENY by admin-area: "), out.out());

    Run byName = run("explain", "--policies", policies, "--user", "oncall-payments", "POST", "/payouts/7");
    assertTrue(byName.out().contains("allow: users [oncall-payments], groups [finance]\n"
        + "caller: oncall-payments, no groups\n"), byName.out());
    assertTrue(byName.out().contains("  signed in:     STEP_UP by finance-payouts: rule 'finance-payouts'"
        + " requires step_up for each request (max_age 0s); user 'oncall-payments' is in allow.users;"), byName.out());
  }

  @Test
  void explain_withoutUser_showsNoCallerLine() {
    Run r = run("explain", "--policies", "policies/examples/who-may-pass.yaml", "GET", "/admin/users");
    assertEquals(0, r.exit(), r.err());
    assertEquals("allow: groups [admins]", r.out().split("\n")[2]);
    assertTrue(r.out().split("\n")[3].startsWith("  anonymous:"), r.out());
    // A caller with no name and no groups is outside every allow list.
    assertTrue(r.out().contains("  signed in:     DENY by admin-area: rule 'admin-area' requires step_up"
        + " within 10m; the caller (name unknown) has no groups; allow.groups is [admins]\n"), r.out());
  }

  @Test
  void explain_defaultsWithAllow_showsTheDefaultsList() throws Exception {
    Path f = Files.writeString(dir.resolve("p.yaml"),
        "version: 1\ndefaults: {require: authenticated, allow: {groups: [staff]}}\n");
    Run r = run("explain", "--policies", f.toString(), "--user", "sam", "--group", "staff", "GET", "/x");
    assertEquals(0, r.exit(), r.err());
    assertTrue(r.out().contains("rule: defaults\nallow: groups [staff]\ncaller: sam, groups [staff]\n"), r.out());
    assertTrue(r.out().contains("  signed in:     ALLOW by defaults: no rule matched; defaults require"
        + " authenticated; signed in; group 'staff' is in allow.groups\n"), r.out());
  }

  @Test
  void explain_badGroupOrUser_exitsTwoWithOneLineReason() {
    Run badGroup = run("explain", "--policies", "policies/demo.yaml", "--user", "ann", "--group", "bad group",
        "GET", "/");
    assertEquals(2, badGroup.exit());
    assertEquals("--group: a group name is ASCII letters, digits and . _ : - (starting with a letter or"
        + " digit): bad group", badGroup.err().lines().findFirst().orElseThrow());
    Run groupAlone = run("explain", "--policies", "policies/demo.yaml", "--group", "admins", "GET", "/");
    assertEquals(2, groupAlone.exit());
    assertEquals("--group needs --user (the caller whose groups they are)",
        groupAlone.err().lines().findFirst().orElseThrow());
    Run badUser = run("explain", "--policies", "policies/demo.yaml", "--user", "tab\tname", "GET", "/");
    assertEquals(2, badUser.exit());
    assertEquals("--user: a username has no control characters, tabs, line breaks or surrounding spaces:"
        + " tab\tname", badUser.err().lines().findFirst().orElseThrow());
  }

  @Test
  void check_allowWarnings_arePrintedAndExitZero() throws Exception {
    Path f = Files.writeString(dir.resolve("p.yaml"), """
        version: 1
        rules:
          - {name: admin, match: {paths: ["/admin/**"]}, require: authenticated, allow: {users: [Root]}}
          - {name: help, match: {paths: ["/admin/help"]}, require: public}
        """);
    Run r = run("check", f.toString());
    assertEquals(0, r.exit());
    assertEquals(f + ":3:90: rules[0].allow.users[0]: 'Root' has upper-case letters; gateway sign-in"
        + " stores usernames as 'root', so this matches only a bolt-on caller (identity.source: upstream)"
        + " named exactly 'Root'\n"
        + f + ":4:5: rule 'help' is shadowed by rule 'admin', whose allow refuses everyone else: first"
        + " match decides, allow does not fall through\n"
        + f + ": OK, 2 rules in 1 file, 2 warning(s)\n", r.out());
  }

  @Test
  void check_badAllow_exitsOneWithPosition() throws Exception {
    Path f = Files.writeString(dir.resolve("p.yaml"), """
        version: 1
        rules:
          - {name: admin, match: {paths: ["/a"]}, require: deny, allow: {groups: [admins]}}
        """);
    Run r = run("check", f.toString());
    assertEquals(1, r.exit());
    assertEquals(f + ":3:65: rules[0].allow: not allowed when require is deny (nobody passes a deny rule)\n"
        + f + ": 1 error(s)\n", r.out());
  }

  @Test
  void explain_missingArguments_exitsTwo() {
    assertEquals(2, run("explain").exit());
    assertEquals(2, run().exit());
  }

  @Test
  void canonical_resolvesDotSegmentsAndDropsQuery() {
    assertEquals("/a/c", RequestTarget.canonical("/a/b/../c?x=/.."));
    assertEquals("/", RequestTarget.canonical("/../.."));
    assertEquals("/a/b/", RequestTarget.canonical("//a//./b/"));
  }
}
