package dev.stepgate.admission;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class CanonicalPathTest {

  /** Every path the shortcut takes comes out exactly as the full canonicalization would make it. */
  @ParameterizedTest
  @ValueSource(strings = {
      "/", "/a", "/a/", "/a/b/c", "/a.b/c.d/", "/a-b_c~d", "/api/v1/users/42", "/a:b@c!$&'()*+,=",
      "/x/.hidden", "/x./y", "/a..b", "/static/app.min.js", "/A/B%20C"})
  void alreadyCanonical_agreesWithTheFullRewrite(String raw) {
    boolean shortcut = CanonicalPath.alreadyCanonical(raw);
    try {
      assertEquals(CanonicalPath.canonicalize(raw), CanonicalPath.of(raw));
    } catch (RequestRejected e) {
      assertEquals(false, shortcut, raw + " is refused by the full rewrite but passed the shortcut");
    }
    if (raw.contains("/.") || raw.contains("%") || raw.contains("//")) assertEquals(false, shortcut, raw);
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
      "/, /",
      "/admin, /admin",
      "/admin/, /admin/",
      "//admin, /admin",
      "/admin//users, /admin/users",
      "/./admin, /admin",
      "/x/../admin, /admin",
      "/x/%2e%2e/admin, /admin",
      "/x/%2E%2E/admin, /admin",
      "/x/.%2e/admin, /admin",
      "/%61dmin, /admin",
      "/admin/., /admin/",
      "/admin/x/.., /admin/",
      "/a%7eb, /a~b",
      "/caf%c3%a9, /caf%C3%A9",
      "/sp%20ace, /sp%20ace",
      "/a%3fb, /a%3Fb",
  })
  void of_resolvesToOneCanonicalForm(String raw, String canonical) {
    assertEquals(canonical, CanonicalPath.of(raw).value());
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "/admin%2fusers", "/admin%2Fusers", "/admin%5cusers", "/admin\\users", "/admin;jsessionid=1",
      "/admin%3bx", "/admin%00", "/a%0a", "/%252e%252e/admin", "/a%zz", "/a%2", "/..", "/../admin",
      "/a/../../admin", "/caf%c3", "/%ff", "admin", "", "/a b", "/a\u00e9"})
  void of_ambiguousPath_isRejected(String raw) {
    var e = assertThrows(RequestRejected.class, () -> CanonicalPath.of(raw));
    assertEquals(400, e.status());
    assertEquals("ambiguous-path", e.type());
  }

  @ParameterizedTest
  @CsvSource({"/admin/, /admin", "/, /", "/admin, /admin"})
  void forPolicy_dropsTrailingSlash(String canonical, String policy) {
    assertEquals(policy, new CanonicalPath(canonical).forPolicy());
  }
}
