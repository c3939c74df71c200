package dev.stepgate.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PolicyParserTest {

  static PolicySet parse(String text) {
    return PolicyParser.parse(List.of(new PolicySource("p.yaml", text)), false);
  }

  static List<String> problems(PolicySource... sources) {
    return assertThrows(PolicyException.class, () -> PolicyParser.parse(List.of(sources), false))
        .problems();
  }

  static List<String> problems(String text) {
    return problems(new PolicySource("p.yaml", text));
  }

  @Test
  void parse_specExample_buildsEveryField() {
    PolicySet set = parse("""
        version: 1
        defaults:
          require: authenticated
        rules:
          - name: assets
            match: { paths: ["/static/**", "/favicon.ico"] }
            require: public
          - name: change-email
            description: Change the email address on your account
            match: { methods: [POST, PUT], paths: ["/account/email"] }
            require: step_up
            max_age: 5m
          - name: payouts
            description: Change where payouts are sent
            match: { paths: ["/payouts/**"], hosts: ["bank.example.com"] }
            require: step_up
            max_age: 0s
            device_bound: true
            min_credential_age: 24h
            audience: https://payouts.internal
          - name: admin
            match: { paths: ["/admin/**"] }
            require: deny
        """);
    assertEquals(4, set.rules().size());
    assertEquals(Requirement.AUTHENTICATED, set.defaults());
    Rule payouts = set.rule("payouts").orElseThrow();
    assertEquals(Optional.of(Duration.ZERO), payouts.maxAge());
    assertTrue(payouts.deviceBound());
    assertEquals(Optional.of(Duration.ofHours(24)), payouts.minCredentialAge());
    assertEquals(Optional.of("https://payouts.internal"), payouts.audience());
    assertEquals(new Location("p.yaml", 13, 5), payouts.location());
    assertEquals(List.of("POST", "PUT"), set.rule("change-email").orElseThrow().match().methods());
    assertEquals(Optional.empty(), set.rule("assets").orElseThrow().maxAge());
  }

  @Test
  void parse_stepUpWithoutMaxAge_defaultsToFiveMinutes() {
    PolicySet set = parse("""
        version: 1
        rules: [{name: s, match: {paths: [/s]}, require: step_up}]
        """);
    assertEquals(Optional.of(Duration.ofMinutes(5)), set.rules().get(0).maxAge());
  }

  @Test
  void parse_noDefaultsAnywhere_defaultsToAuthenticated() {
    assertEquals(Requirement.AUTHENTICATED, parse("version: 1\nrules: []\n").defaults());
  }

  @Test
  void parse_durationsInEveryUnit_areRead() {
    assertEquals(Optional.of(Duration.ofDays(2)), Durations.parse("2d"));
    assertEquals(Optional.of(Duration.ofSeconds(30)), Durations.parse("30s"));
    assertEquals(Optional.of(Duration.ofHours(12)), Durations.parse("12h"));
    assertEquals(Optional.of(Duration.ZERO), Durations.parse("0s"));
    assertEquals(Optional.empty(), Durations.parse("5"));
    assertEquals(Optional.empty(), Durations.parse("1.5h"));
  }

  @Test
  void parse_emptyFile_saysSo() {
    assertEquals(List.of("p.yaml:1:1: file is empty; expected 'version: 1'"), problems(""));
  }

  @Test
  void parse_malformedYaml_reportsScannerPosition() {
    assertEquals(
        List.of("p.yaml:3:1: malformed YAML: expected the node content, but found '<stream end>'"),
        problems("version: 1\nrules: [\n"));
  }

  @Test
  void parse_topLevelList_isRejected() {
    assertEquals(List.of("p.yaml:1:1: expected a mapping with version, defaults and rules"),
        problems("- a\n- b\n"));
  }

  @Test
  void parse_missingOrWrongVersion_isRejected() {
    assertEquals(List.of("p.yaml:1:1: version: missing; add 'version: 1'"), problems("rules: []\n"));
    assertEquals(List.of("p.yaml:1:10: version: unsupported version '2' (expected 1)"),
        problems("version: 2\n"));
  }

  @Test
  void parse_unknownKeysAtEveryLevel_areAllReported() {
    assertEquals(List.of(
        "p.yaml:2:1: unknown key 'extra' (expected version, defaults, rules)",
        "p.yaml:3:29: defaults: unknown key 'mode' (expected require, allow)",
        "p.yaml:6:5: rules[0]: unknown key 'when' (expected name, description, match, require,"
            + " max_age, device_bound, min_credential_age, audience, allow)",
        "p.yaml:7:26: rules[0].match: unknown key 'path' (expected paths, methods, hosts)"),
        problems("""
            version: 1
            extra: 3
            defaults: {require: public, mode: x}
            rules:
              - name: a
                when: always
                match: {paths: [/a], path: [/b]}
                require: public
            """));
  }

  @Test
  void parse_duplicateKey_isRejected() {
    assertEquals(List.of("p.yaml:2:1: duplicate key 'version'"), problems("version: 1\nversion: 1\n"));
  }

  @Test
  void parse_invalidGlobs_eachNamed() {
    assertEquals(List.of(
        "p.yaml:4:21: rules[0].match.paths[0]: invalid glob '/x/***': '**' must be a whole path segment",
        "p.yaml:4:31: rules[0].match.paths[1]: invalid glob 'x': must start with '/'",
        "p.yaml:4:36: rules[0].match.paths[2]: invalid glob '': must not be empty",
        "p.yaml:4:40: rules[0].match.paths[3]: invalid glob '/a**': '**' must be a whole path segment"),
        problems("""
            version: 1
            rules:
              - name: a
                match: {paths: ["/x/***", "x", "", "/a**"]}
                require: public
            """));
  }

  @Test
  void parse_unknownRequire_listsTheChoices() {
    assertEquals(List.of("p.yaml:5:14: rules[0].require: unknown value 'mfa'"
            + " (expected public, authenticated, step_up, deny)"),
        problems("""
            version: 1
            rules:
              - name: a
                match: {paths: [/a]}
                require: mfa
            """));
  }

  @Test
  void parse_badDurationsAndFlags_areRejected() {
    assertEquals(List.of(
        "p.yaml:6:14: rules[0].max_age: invalid duration '-5m' (expected a whole number of s, m, h"
            + " or d, not negative, e.g. 30s, 5m, 12h)",
        "p.yaml:7:19: rules[0].device_bound: expected true or false",
        "p.yaml:8:25: rules[0].min_credential_age: invalid duration '30' (expected a whole number of"
            + " s, m, h or d, not negative, e.g. 30s, 5m, 12h)"),
        problems("""
            version: 1
            rules:
              - name: a
                match: {paths: [/a]}
                require: step_up
                max_age: -5m
                device_bound: yes
                min_credential_age: 30
            """));
  }

  @Test
  void parse_ruleWithoutMatchCriteria_isRejected() {
    assertEquals(List.of(
        "p.yaml:3:5: rules[0].match: missing (a rule needs at least one of paths, methods, hosts)",
        "p.yaml:6:12: rules[1].match: needs at least one of paths, methods, hosts"),
        problems("""
            version: 1
            rules:
              - name: a
                require: public
              - name: b
                match: {}
                require: public
            """));
  }

  @Test
  void parse_stepUpKeysOnOtherRules_areRejected() {
    assertEquals(List.of(
        "p.yaml:6:14: rules[0].max_age: only allowed when require is step_up",
        "p.yaml:7:19: rules[0].device_bound: only allowed when require is step_up",
        "p.yaml:8:25: rules[0].min_credential_age: only allowed when require is step_up",
        "p.yaml:12:15: rules[1].audience: not allowed when require is deny"),
        problems("""
            version: 1
            rules:
              - name: a
                match: {paths: [/a]}
                require: authenticated
                max_age: 5m
                device_bound: true
                min_credential_age: 1d
              - name: b
                match: {paths: [/b]}
                require: deny
                audience: x
            """));
  }

  @Test
  void parse_badNamesMethodsAndHosts_areRejected() {
    assertEquals(List.of(
        "p.yaml:3:11: rules[0].name: 'a b' may contain only letters, digits, '.', '_' and '-'"
            + " (at most 100, starting with a letter or digit)",
        "p.yaml:4:23: rules[0].match.methods[0]: invalid method 'get' (methods are upper case, e.g. GET)",
        "p.yaml:4:37: rules[0].match.hosts[0]: invalid host 'a.com:80': must not carry a port;"
            + " the request's port is ignored",
        "p.yaml:4:49: rules[0].match.hosts[1]: invalid host '*': only a leading '*.' wildcard is"
            + " supported; omit hosts to match any host",
        "p.yaml:7:11: rules[1].name: 'defaults' is reserved"),
        problems("""
            version: 1
            rules:
              - name: a b
                match: {methods: [get], hosts: ["a.com:80", "*"]}
                require: public
              - match: {paths: [/a]}
                name: defaults
                require: deny
            """));
  }

  /** Account actions record their step-ups as "stepgate:…"; no rule may take such a name. */
  @Test
  void parse_accountActionNames_cannotNameARule() {
    assertEquals(List.of(
        "p.yaml:3:11: rules[0].name: 'stepgate:add-passkey' may contain only letters, digits, '.', '_' and '-'"
            + " (at most 100, starting with a letter or digit)"),
        problems("""
            version: 1
            rules:
              - name: "stepgate:add-passkey"
                match: {paths: [/a]}
                require: step_up
            """));
  }

  @Test
  void parse_duplicateNamesAndConflictingDefaults_acrossFiles_areRejected() {
    assertEquals(List.of(
        "b.yaml:3:12: defaults.require: 'deny' conflicts with 'authenticated' set at a.yaml:2:21",
        "b.yaml:4:16: rules[0].name: duplicate rule name 'x' (first at a.yaml:3:16)"),
        problems(
            new PolicySource("a.yaml", """
                version: 1
                defaults: {require: authenticated}
                rules: [{name: x, match: {paths: [/a]}, require: public}]
                """),
            new PolicySource("b.yaml", """
                version: 1
                defaults:
                  require: deny
                rules: [{name: x, match: {paths: [/a]}, require: public}]
                """)));
  }

  @Test
  void parse_sameDefaultsInTwoFiles_isAccepted() {
    PolicySet set = PolicyParser.parse(List.of(
        new PolicySource("a.yaml", "version: 1\ndefaults: {require: deny}\n"),
        new PolicySource("b.yaml", "version: 1\ndefaults: {require: deny}\nrules: []\n")), false);
    assertEquals(Requirement.DENY, set.defaults());
  }

  @Test
  void parse_problemsInSeveralFiles_areAllReported() {
    assertEquals(List.of("a.yaml:1:1: version: missing; add 'version: 1'",
            "b.yaml:1:10: version: unsupported version '3' (expected 1)"),
        problems(new PolicySource("a.yaml", "rules: []\n"), new PolicySource("b.yaml", "version: 3\n")));
  }

  @Test
  void parse_rulesKeepFileOrderAcrossFiles() {
    PolicySet set = PolicyParser.parse(List.of(
        new PolicySource("10-a.yaml", "version: 1\nrules: [{name: a, match: {paths: [/x]}, require: deny}]\n"),
        new PolicySource("20-b.yaml", "version: 1\nrules: [{name: b, match: {paths: [/x]}, require: public}]\n")),
        false);
    assertEquals(List.of("a", "b"), set.rules().stream().map(Rule::name).toList());
  }
}
