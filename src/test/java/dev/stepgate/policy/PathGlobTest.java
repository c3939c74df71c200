package dev.stepgate.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PathGlobTest {

  @ParameterizedTest(name = "{0} vs {1} -> {2}")
  @CsvSource({
    "/,                     /,                    true",
    "/,                     /a,                   false",
    "/favicon.ico,          /favicon.ico,         true",
    "/favicon.ico,          /favicon.ico/,        true",
    "/favicon.ico,          /favicon.icon,        false",
    "/static/**,            /static,              true",
    "/static/**,            /static/a/b/c.css,    true",
    "/static/**,            /staticx,             false",
    "/static/**,            /,                    false",
    "/**,                   /,                    true",
    "/**,                   /anything/at/all,     true",
    "/a/*,                  /a/b,                 true",
    "/a/*,                  /a,                   false",
    "/a/*,                  /a/b/c,               false",
    "/a/*/c,                /a/b/c,               true",
    "/a/*/c,                /a/b/d,               false",
    "/a/**/c,               /a/c,                 true",
    "/a/**/c,               /a/x/y/c,             true",
    "/a/**/c,               /a/x/y/d,             false",
    "/static/*.css,         /static/site.css,     true",
    "/static/*.css,         /static/site.js,      false",
    "/static/*.css,         /static/.css,         true",
    "/v*/users,             /v2/users,            true",
    "/v*/users,             /x2/users,            false",
    "/a*b*c,                /aXbYc,               true",
    "/a*b*c,                /abc,                 true",
    "/a*b*c,                /acb,                 false",
    "/a/**/**/b,            /a/b,                 true",
    "/Admin,                /admin,               false",
  })
  void matches_caseSensitive(String glob, String path, boolean expected) {
    assertEquals(expected, PathGlob.of(glob, false).matches(path));
  }

  @ParameterizedTest(name = "{0} vs {1}")
  @CsvSource({"/Admin/**, /ADMIN/users", "/admin/*.CSS, /admin/x.css", "/a, /A"})
  void matches_caseInsensitive_foldsBothSides(String glob, String path) {
    assertTrue(PathGlob.of(glob, true).matches(path));
    assertFalse(PathGlob.of(glob, false).matches(path));
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
    "\"\"          | must not be empty",
    "a/b         | must start with '/'",
    "/a/***      | '**' must be a whole path segment",
    "/a**        | '**' must be a whole path segment",
    "/**.css     | '**' must be a whole path segment",
    "/a//b       | must not contain an empty segment ('//')",
    "/a/         | must not end with '/'",
    "/a/../b     | '.' and '..' segments never match a canonical path",
    "/a/?        | '?' is not supported; only '*' and '**' are wildcards",
    "/a/[ab]     | '[' is not supported; only '*' and '**' are wildcards",
    "/a b        | must not contain spaces or control characters",
  })
  void problem_invalidGlob_saysWhy(String glob, String message) {
    assertEquals(Optional.of(message), PathGlob.problem(glob));
  }

  @ParameterizedTest(name = "{0} covers {1}: {2}")
  @CsvSource({
    "/**,           /a/b,           true",
    "/**,           /a/**,          true",
    "/a/**,         /a/b/*,         true",
    "/a/**,         /b/**,          false",
    "/a/*,          /a/b,           true",
    "/a/*,          /a/*.css,       true",
    "/a/*,          /a/**,          false",
    "/a/b,          /a/*,           false",
    "/a/*.css,      /a/x.css,       true",
    "/a/*.css,      /a/*,           false",
    "/a/**/z,       /a/b/c/z,       true",
    "/a/**,         /a,             true",
  })
  void covers_comparesLanguages(String a, String b, boolean expected) {
    assertEquals(expected, PathGlob.of(a, false).covers(PathGlob.of(b, false)));
  }
}
