package dev.stepgate.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class PolicyCheckTest {

  @Test
  void warnings_ruleCoveredByEarlierRule_isShadowed() {
    PolicySet set = PolicyParserTest.parse("""
        version: 1
        rules:
          - name: everything-admin
            match: {paths: ["/admin/**"]}
            require: deny
          - name: admin-users
            match: {paths: ["/admin/users/*"], methods: [GET]}
            require: authenticated
          - name: api
            match: {paths: ["/api/**"], hosts: ["*.example.com"]}
            require: authenticated
          - name: api-host
            match: {paths: ["/api/v1/*"], hosts: ["a.example.com"]}
            require: public
          - name: head-too
            match: {paths: ["/x"], methods: [GET]}
            require: public
          - name: head
            match: {paths: ["/x"], methods: [HEAD]}
            require: deny
        """);
    assertEquals(List.of(
        "p.yaml:6:5: rule 'admin-users' is shadowed by rule 'everything-admin'",
        "p.yaml:12:5: rule 'api-host' is shadowed by rule 'api'",
        "p.yaml:18:5: rule 'head' is shadowed by rule 'head-too'"), set.warnings());
  }

  @Test
  void warnings_narrowerEarlierRule_isNotShadowing() {
    PolicySet set = PolicyParserTest.parse("""
        version: 1
        rules:
          - name: one-post
            match: {paths: ["/account/email"], methods: [POST]}
            require: step_up
          - name: account
            match: {paths: ["/account/**"]}
            require: authenticated
          - name: host-only
            match: {hosts: ["a.example.com"]}
            require: deny
          - name: other-host
            match: {paths: ["/z"], hosts: ["*.example.com"]}
            require: deny
          - name: any-method
            match: {paths: ["/css/*.css"]}
            require: public
          - name: exact-css
            match: {paths: ["/css/*"]}
            require: public
        """);
    assertEquals(List.of(), set.warnings());
  }

  @Test
  void warnings_wildcardFirstSegmentAndRoot_areCompared() {
    PolicySet set = PolicyParserTest.parse("""
        version: 1
        rules:
          - {name: root, match: {paths: ["/"]}, require: public}
          - {name: root-again, match: {paths: ["/"], methods: [GET]}, require: deny}
          - {name: any-css, match: {paths: ["/*/*.css"]}, require: public}
          - {name: one-css, match: {paths: ["/a/site.css"]}, require: deny}
          - {name: by-method, match: {methods: [DELETE]}, require: deny}
          - {name: delete-x, match: {methods: [DELETE], paths: ["/x"]}, require: public}
        """);
    assertEquals(List.of(
        "p.yaml:4:5: rule 'root-again' is shadowed by rule 'root'",
        "p.yaml:6:5: rule 'one-css' is shadowed by rule 'any-css'",
        "p.yaml:8:5: rule 'delete-x' is shadowed by rule 'by-method'"), set.warnings());
  }
}
