package dev.stepgate.policy;

import static dev.stepgate.policy.PolicyParserTest.parse;
import static dev.stepgate.policy.PolicyParserTest.problems;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Reading {@code allow} (SPEC section 3), its errors with file:line:col, and its warnings. */
class PolicyAllowParserTest {

  @Test
  void parse_allowOnRuleAndDefaults_keepsNamesInFileOrder() {
    PolicySet set = parse("""
        version: 1
        defaults: {require: step_up, allow: {users: [root]}}
        rules:
          - name: admin
            match: {paths: ["/admin/**"]}
            require: step_up
            allow: {groups: [ops, admins, ops], users: [bob, "alice@example.com"]}
          - name: open
            match: {paths: ["/open"]}
            require: authenticated
        """);
    AllowList allow = set.rule("admin").orElseThrow().allow().orElseThrow();
    assertEquals(List.of("ops", "admins"), List.copyOf(allow.groups()));
    assertEquals(List.of("bob", "alice@example.com"), List.copyOf(allow.users()));
    assertEquals(Optional.empty(), set.rule("open").orElseThrow().allow());
    assertEquals(Optional.of(new AllowList(Set.of("root"), Set.of())), set.defaultsAllow());
    assertEquals(List.of(), set.warnings());
  }

  @Test
  void parse_allowOnPublicOrDenyRule_isRejected() {
    assertEquals(List.of(
        "p.yaml:6:12: rules[0].allow: not allowed when require is public (public lets anyone pass;"
            + " use authenticated or step_up to name who may)",
        "p.yaml:10:12: rules[1].allow: not allowed when require is deny (nobody passes a deny rule)",
        "p.yaml:11:34: defaults.allow: not allowed when require is deny (nobody passes a deny rule)"),
        problems("""
        version: 1
        rules:
          - name: a
            match: {paths: ["/a"]}
            require: public
            allow: {users: [bob]}
          - name: d
            match: {paths: ["/d"]}
            require: deny
            allow: {groups: [admins]}
        defaults: {require: deny, allow: {groups: [x]}}
        """));
  }

  @Test
  void parse_badAllowShapes_eachNamedWithItsPosition() {
    assertEquals(List.of(
        "p.yaml:6:13: rules[0].allow: unknown key 'roles' (expected users, groups)",
        "p.yaml:10:12: rules[1].allow: needs users or groups (to let nobody pass, use require: deny)",
        "p.yaml:14:33: rules[2].allow.users: must not be empty",
        "p.yaml:18:21: rules[3].allow.groups: expected a list",
        "p.yaml:22:12: rules[4].allow: expected a mapping with users and/or groups"),
        problems("""
        version: 1
        rules:
          - name: a
            match: {paths: ["/a"]}
            require: authenticated
            allow: {roles: [admins]}
          - name: b
            match: {paths: ["/b"]}
            require: authenticated
            allow: {}
          - name: c
            match: {paths: ["/c"]}
            require: authenticated
            allow: {groups: [x], users: []}
          - name: d
            match: {paths: ["/d"]}
            require: step_up
            allow: {groups: admins}
          - name: e
            match: {paths: ["/e"]}
            require: step_up
            allow: [admins]
        """));
  }

  @Test
  void parse_badNames_pointAtTheOffendingItem() {
    String tooLong = "u".repeat(65);
    assertEquals(List.of(
        "p.yaml:7:20: rules[0].allow.groups[1]: invalid group 'has space': a group name is ASCII"
            + " letters, digits and . _ : - (starting with a letter or digit)",
        "p.yaml:8:9: rules[0].allow.groups[2]: invalid group '-dash': a group name is ASCII letters,"
            + " digits and . _ : - (starting with a letter or digit)",
        "p.yaml:9:9: rules[0].allow.groups[3]: invalid group '': a group name must not be empty",
        "p.yaml:10:15: rules[0].allow.users[0]: invalid user '': a username must not be empty",
        "p.yaml:10:19: rules[0].allow.users[1]: invalid user 'tab\there': a username has no control"
            + " characters, tabs, line breaks or surrounding spaces",
        "p.yaml:10:32: rules[0].allow.users[2]: invalid user '" + tooLong
            + "': a username is at most 64 characters",
        "p.yaml:11:53: defaults.allow.groups[0]: invalid group 'ünïcode': a group name is ASCII"
            + " letters, digits and . _ : - (starting with a letter or digit)"),
        problems("""
        version: 1
        rules:
          - name: a
            match: {paths: ["/a"]}
            require: step_up
            allow:
              groups: [ok, "has space",
                "-dash",
                "", x]
              users: ["", "tab\\there", %s]
        defaults: {require: authenticated, allow: {groups: [ünïcode]}}
        """.formatted(tooLong)));
  }

  @Test
  void parse_defaultsAllowDifferingAcrossFiles_isAConflict() {
    assertEquals(List.of("b.yaml:2:21: defaults.allow: 'groups [staff, ops]' conflicts with"
        + " 'groups [staff]' set with the defaults at a.yaml:2:21"),
        problems(new PolicySource("a.yaml", "version: 1\ndefaults: {require: authenticated, allow: {groups: [staff]}}\n"),
            new PolicySource("b.yaml", "version: 1\ndefaults: {require: authenticated, allow: {groups: [staff, ops]}}\n")));
    PolicySet same = PolicyParser.parse(List.of(
        new PolicySource("a.yaml", "version: 1\ndefaults: {require: authenticated, allow: {groups: [staff]}}\n"),
        new PolicySource("b.yaml", "version: 1\ndefaults: {require: authenticated, allow: {groups: [staff]}}\n")), false);
    assertEquals(Set.of("staff"), same.defaultsAllow().orElseThrow().groups());
  }

  @Test
  void warnings_upperCaseUser_cannotBeAGatewayUser() {
    PolicySet set = parse("""
        version: 1
        rules:
          - name: a
            match: {paths: ["/a"]}
            require: authenticated
            allow: {users: [bob, Alice, "ﬁona"]}
        """);
    assertEquals(List.of(
        "p.yaml:6:26: rules[0].allow.users[1]: 'Alice' has upper-case letters; gateway sign-in stores"
            + " usernames as 'alice', so this matches only a bolt-on caller (identity.source: upstream)"
            + " named exactly 'Alice'",
        "p.yaml:6:33: rules[0].allow.users[2]: 'ﬁona' is not in Unicode NFKC form; gateway sign-in"
            + " stores usernames as 'fiona', so this matches only a bolt-on caller (identity.source:"
            + " upstream) named exactly 'ﬁona'"), set.warnings());
    // A warning, not an error: the rule is in force and matches the exact name.
    Decision d = set.decide(new PolicyRequest("GET", "h", "/a"),
        PolicyAllowTest.signed("Alice"));
    assertEquals(Decision.Allow.class, d.getClass());
  }

  @Test
  void warnings_ruleShadowedByAnAllowRule_saysAllowDoesNotFallThrough() {
    PolicySet set = parse("""
        version: 1
        rules:
          - name: admin
            match: {paths: ["/admin/**"]}
            require: step_up
            allow: {groups: [admins]}
          - name: admin-help
            match: {paths: ["/admin/help"], methods: [GET]}
            require: authenticated
          - name: reports
            match: {paths: ["/reports/**"]}
            require: authenticated
          - name: reports-for-auditors
            match: {paths: ["/reports/q1"]}
            require: authenticated
            allow: {groups: [auditors]}
          - name: narrow-allow
            match: {paths: ["/x"], methods: [POST]}
            require: authenticated
            allow: {users: [bob]}
          - name: wider
            match: {paths: ["/x"]}
            require: authenticated
        """);
    assertEquals(List.of(
        "p.yaml:7:5: rule 'admin-help' is shadowed by rule 'admin', whose allow refuses everyone else:"
            + " first match decides, allow does not fall through",
        "p.yaml:13:5: rule 'reports-for-auditors' is shadowed by rule 'reports'"), set.warnings());
  }
}
