package dev.stepgate.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class IdentityHeadersTest {

  @ParameterizedTest
  @ValueSource(strings = {
      "X-Stepgate-Assertion", "x-stepgate-assertion", "X_STEPGATE_ASSERTION", "x_stepgate_assertion",
      "X.Stepgate.User", "x-stepgate-anything-new", "X-Stepgate-User",
      "Remote-User", "remote_user", "REMOTE.USER", "Remote-Email", "remote-name", "Remote-Groups",
      "X-Remote-User", "X-Forwarded-User", "x_forwarded_email", "X-Forwarded-Preferred-Username",
      "X-Forwarded-Groups", "X-Forwarded-Access-Token", "X-Auth-Request-User", "x-auth-request-email",
      "X-Auth-Request-Groups", "X-User", "X-WEBAUTH-USER", "X-Authenticated-Userid",
      "X-Pomerium-Jwt-Assertion", "X-Pomerium-Claim-Email", "X-Goog-Authenticated-User-Email",
      "X-Amzn-Oidc-Data", "Cf-Access-Jwt-Assertion", "X-MS-CLIENT-PRINCIPAL-NAME", "remote~user", "X-Stepgate",
      "remote_groups", "REMOTE.GROUPS", "x_forwarded_groups", "X.Forwarded.Groups", "x-FORWARDED-groups"})
  void isIdentityHeader_identitySpellings_match(String name) {
    assertTrue(IdentityHeaders.isIdentityHeader(name), name);
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "Accept", "Cookie", "Authorization", "Host", "X-Forwarded-For", "X-Forwarded-Proto",
      "X-Forwarded-Host", "Forwarded", "X-Request-Id", "User-Agent", "Remote-Addr",
      "X-Userland", ""})
  void isIdentityHeader_otherHeaders_doNotMatch(String name) {
    // Forwarded/X-Forwarded-For are the proxy's, stripped there unless from trusted_proxies.
    assertFalse(IdentityHeaders.isIdentityHeader(name), name);
  }

  @Test
  void isIdentityHeader_null_isFalse() {
    assertFalse(IdentityHeaders.isIdentityHeader(null));
  }

  @Test
  void isIdentityHeader_everyHeaderWeAdd_isStrippedFromClients() {
    var all = new IdentityHeaders(List.of("authelia", "oauth2-proxy"))
        .forUpstream("alice@example.com", Optional.of("Alice"), List.of("admins"));
    assertTrue(all.containsKey("Remote-Groups") && all.containsKey("X-Forwarded-Groups"));
    for (var name : all.keySet()) assertTrue(IdentityHeaders.isIdentityHeader(name), name);
    assertTrue(IdentityHeaders.isIdentityHeader(IdentityHeaders.STEPGATE_ASSERTION));
  }

  @Test
  void forUpstream_groups_areSortedCommaSeparatedInBothFamilies() {
    var h = new IdentityHeaders(List.of("authelia", "oauth2-proxy"))
        .forUpstream("alice", Optional.empty(), java.util.Set.of("ops", "Admins", "dev:read"));
    assertEquals("Admins,dev:read,ops", h.get("Remote-Groups"));
    assertEquals("Admins,dev:read,ops", h.get("X-Forwarded-Groups"));
  }

  @Test
  void forUpstream_noGroups_sendsNoGroupsHeader() {
    var h = new IdentityHeaders(List.of("authelia", "oauth2-proxy")).forUpstream("alice", Optional.empty(), List.of());
    assertFalse(h.containsKey("Remote-Groups"));
    assertFalse(h.containsKey("X-Forwarded-Groups"));
  }

  @Test
  void forUpstream_groupsWithoutFamilies_addOnlyStepgateUser() {
    assertEquals(Map.of("X-Stepgate-User", "alice"),
        new IdentityHeaders(List.of()).forUpstream("alice", Optional.empty(), List.of("admins")));
  }

  @Test
  void forUpstream_groupOutsideTheAlphabet_failsClosed() {
    var h = new IdentityHeaders(List.of("authelia"));
    var e = assertThrows(IdentityException.class, () -> h.forUpstream("alice", Optional.empty(), List.of("a,root")));
    assertEquals(IdentityException.UNFORWARDABLE, e.type());
  }

  @Test
  void forUpstream_noFamilies_onlyStepgateUser() {
    var h = new IdentityHeaders(List.of()).forUpstream("alice", Optional.empty());
    assertEquals(Map.of("X-Stepgate-User", "alice"), h);
  }

  @Test
  void forUpstream_authelia_addsRemoteHeaders() {
    var h = new IdentityHeaders(List.of("authelia")).forUpstream("alice@example.com", Optional.of("Alice A."));
    assertEquals(List.of("X-Stepgate-User", "Remote-User", "Remote-Name", "Remote-Email"), List.copyOf(h.keySet()));
    assertEquals("alice@example.com", h.get("Remote-User"));
    assertEquals("UTF-8''Alice%20A.", h.get("Remote-Name")); // a space is not printable ASCII: HeaderText
    assertEquals("alice@example.com", h.get("Remote-Email"));
  }

  @Test
  void forUpstream_usernameOutsideAscii_isEncodedInEveryHeader() {
    var h = new IdentityHeaders(List.of("authelia", "oauth2-proxy")).forUpstream("王伟@例え.jp", Optional.empty());
    var encoded = "UTF-8''%E7%8E%8B%E4%BC%9F%40%E4%BE%8B%E3%81%88.jp";
    assertEquals(List.of("X-Stepgate-User", "Remote-User", "Remote-Name", "Remote-Email", "X-Forwarded-User",
        "X-Forwarded-Email"), List.copyOf(h.keySet()));
    for (var value : h.values()) assertEquals(encoded, value);
  }

  @Test
  void forUpstream_twoUsersOutsideLatin1_getDifferentValues() {
    var h = new IdentityHeaders(List.of());
    assertEquals("UTF-8''%E7%8E%8B%E4%BC%9F", h.forUpstream("王伟", Optional.empty()).get("X-Stepgate-User"));
    assertEquals("UTF-8''%E6%9D%8E%E5%A8%9C", h.forUpstream("李娜", Optional.empty()).get("X-Stepgate-User"));
  }

  @Test
  void forUpstream_displayNameOutsideAscii_isEncoded() {
    var h = new IdentityHeaders(List.of("authelia")).forUpstream("li", Optional.of("李娜"));
    assertEquals("UTF-8''%E6%9D%8E%E5%A8%9C", h.get("Remote-Name"));
    assertEquals("li", h.get("Remote-User"));
  }

  @Test
  void forUpstream_unpairedSurrogate_failsClosed() {
    var e = assertThrows(IdentityException.class, () -> new IdentityHeaders(List.of()).forUpstream("a\ud800", Optional.empty()));
    assertEquals("username is not well-formed Unicode", e.getMessage());
    assertEquals(IdentityException.UNFORWARDABLE, e.type());
  }

  @Test
  void forUpstream_autheliaWithoutDisplayNameOrEmail_namesByUsernameAndOmitsEmail() {
    var h = new IdentityHeaders(List.of("authelia")).forUpstream("alice", Optional.empty());
    assertEquals(Map.of("X-Stepgate-User", "alice", "Remote-User", "alice", "Remote-Name", "alice"), h);
  }

  @Test
  void forUpstream_oauth2Proxy_emailOnlyWhenUsernameLooksLikeOne() {
    var family = new IdentityHeaders(List.of("oauth2-proxy"));
    assertEquals(Map.of("X-Stepgate-User", "bob@corp.example", "X-Forwarded-User", "bob@corp.example",
        "X-Forwarded-Email", "bob@corp.example"), family.forUpstream("bob@corp.example", Optional.empty()));
    assertEquals(Map.of("X-Stepgate-User", "bob", "X-Forwarded-User", "bob"), family.forUpstream("bob", Optional.empty()));
    assertFalse(family.forUpstream("bob@localhost", Optional.empty()).containsKey("X-Forwarded-Email"));
    assertFalse(family.forUpstream("a@b@c.com", Optional.empty()).containsKey("X-Forwarded-Email"));
  }

  @Test
  void constructor_unknownFamilies_areAllNamed() {
    var e = assertThrows(IdentityException.class, () -> new IdentityHeaders(List.of("authelia", "pomerium", "Authelia")));
    assertEquals("unknown compat header families pomerium, Authelia (known: authelia, oauth2-proxy)", e.getMessage());
    assertEquals(IdentityException.INVALID_SETTING, e.type());
  }

  @Test
  void forUpstream_controlCharacterInUsername_failsClosed() {
    var h = new IdentityHeaders(List.of());
    var e = assertThrows(IdentityException.class, () -> h.forUpstream("alice\r\nRemote-User: root", Optional.empty()));
    assertEquals("username contains a control character", e.getMessage());
  }

  @Test
  void forUpstream_controlCharacterInDisplayName_failsClosed() {
    var h = new IdentityHeaders(List.of("authelia"));
    assertThrows(IdentityException.class, () -> h.forUpstream("alice", Optional.of("Al\nice")));
  }
}
