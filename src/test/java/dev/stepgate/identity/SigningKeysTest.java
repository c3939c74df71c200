package dev.stepgate.identity;

import dev.stepgate.testing.TestClock;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SigningKeysTest {
  private static final Duration GRACE = Duration.ofHours(24);
  private final InMemorySigningKeyStore store = new InMemorySigningKeyStore();
  private final TestClock clock = new TestClock(Instant.parse("2026-01-01T10:00:00Z"));

  private static List<String> kids(String jwksJson) throws Exception {
    return JWKSet.parse(jwksJson).getKeys().stream().map(JWK::getKeyID).toList();
  }

  @Test
  void firstStart_emptyStore_generatesAndStoresOneP256Key() throws Exception {
    var keys = dev.stepgate.Async.join(SigningKeys.load(store, clock, GRACE));

    assertEquals(1, store.snapshot().size());
    var stored = store.snapshot().get(0);
    assertEquals(keys.currentKid(), stored.kid());
    var jwk = ECKey.parse(stored.privateJwk());
    assertEquals(Curve.P_256, jwk.getCurve());
    assertTrue(jwk.isPrivate());
    // kid is the RFC 7638 thumbprint, base64url without padding
    assertEquals(jwk.computeThumbprint().toString(), stored.kid());
    assertTrue(stored.kid().matches("[A-Za-z0-9_-]{43}"));
  }

  @Test
  void laterStart_sameStore_loadsTheStoredKey() {
    var first = dev.stepgate.Async.join(SigningKeys.load(store, clock, GRACE));
    var second = dev.stepgate.Async.join(SigningKeys.load(store, clock, GRACE));

    assertEquals(first.currentKid(), second.currentKid());
    assertEquals(1, store.adds);
  }

  @Test
  void jwks_publishesPublicPartsWithUseAndAlg() throws Exception {
    var keys = dev.stepgate.Async.join(SigningKeys.load(store, clock, GRACE));

    var json = keys.jwksJson();
    var set = JWKSet.parse(json);
    assertEquals(1, set.getKeys().size());
    Map<String, Object> k = set.getKeys().get(0).toJSONObject();
    assertEquals(keys.currentKid(), k.get("kid"));
    assertEquals("EC", k.get("kty"));
    assertEquals("P-256", k.get("crv"));
    assertEquals("sig", k.get("use"));
    assertEquals("ES256", k.get("alg"));
    assertTrue(k.containsKey("x") && k.containsKey("y"));
    assertFalse(json.contains("\"d\""), "private part published");
  }

  @Test
  void toString_neverShowsPrivateKey() throws Exception {
    var keys = dev.stepgate.Async.join(SigningKeys.load(store, clock, GRACE));
    var d = ECKey.parse(store.snapshot().get(0).privateJwk()).getD().toString();

    assertFalse(keys.toString().contains(d));
    assertFalse(keys.current().toString().contains(d));
    assertFalse(store.snapshot().get(0).toString().contains(d));
    assertFalse(keys.keys().toString().contains(d));
  }

  @Test
  void start_corruptStoredKey_failsNamingKidAndLeavesStoreUnchanged() {
    var kid = dev.stepgate.Async.join(SigningKeys.load(store, clock, GRACE)).currentKid();
    store.corrupt(kid, "{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"garbage");
    var before = store.snapshot();

    var e = assertThrows(IdentityException.class, () -> dev.stepgate.Async.join(SigningKeys.load(store, clock, GRACE)));

    assertEquals(IdentityException.KEY_UNUSABLE, e.type());
    assertTrue(e.getMessage().contains(kid), e.getMessage());
    assertTrue(e.getMessage().contains("does not parse"), e.getMessage());
    assertFalse(e.getMessage().contains("garbage"), "message quotes stored key material");
    assertEquals(before, store.snapshot());
    assertEquals(1, store.adds);
  }

  @Test
  void start_storedKeyWithoutPrivatePart_fails() throws Exception {
    var kid = dev.stepgate.Async.join(SigningKeys.load(store, clock, GRACE)).currentKid();
    var pub = ECKey.parse(store.snapshot().get(0).privateJwk()).toPublicJWK().toJSONString();
    store.corrupt(kid, pub);

    var e = assertThrows(IdentityException.class, () -> dev.stepgate.Async.join(SigningKeys.load(store, clock, GRACE)));
    assertTrue(e.getMessage().contains(kid + " has no private part"), e.getMessage());
  }

  @Test
  void start_storedKeyOfWrongType_fails() throws Exception {
    var kid = dev.stepgate.Async.join(SigningKeys.load(store, clock, GRACE)).currentKid();
    store.corrupt(kid, new RSAKeyGenerator(2048).keyID(kid).generate().toJSONString());

    var e = assertThrows(IdentityException.class, () -> dev.stepgate.Async.join(SigningKeys.load(store, clock, GRACE)));
    assertTrue(e.getMessage().contains(kid), e.getMessage());
  }

  @Test
  void start_storedKeyOnOtherCurve_fails() throws Exception {
    var kid = dev.stepgate.Async.join(SigningKeys.load(store, clock, GRACE)).currentKid();
    store.corrupt(kid, new ECKeyGenerator(Curve.P_384).keyID(kid).generate().toJSONString());

    var e = assertThrows(IdentityException.class, () -> dev.stepgate.Async.join(SigningKeys.load(store, clock, GRACE)));
    assertTrue(e.getMessage().contains(kid + " is not on curve P-256"), e.getMessage());
  }

  @Test
  void start_storedJwkWithOtherKid_fails() throws Exception {
    var kid = dev.stepgate.Async.join(SigningKeys.load(store, clock, GRACE)).currentKid();
    store.corrupt(kid, new ECKeyGenerator(Curve.P_256).keyID("someone-else").generate().toJSONString());

    var e = assertThrows(IdentityException.class, () -> dev.stepgate.Async.join(SigningKeys.load(store, clock, GRACE)));
    assertTrue(e.getMessage().contains(kid + " carries a different kid"), e.getMessage());
  }

  @Test
  void rotate_newKeyCurrent_oldKeyPublishedForGrace() throws Exception {
    var keys = dev.stepgate.Async.join(SigningKeys.load(store, clock, GRACE));
    var old = keys.currentKid();

    var rotation = dev.stepgate.Async.join(keys.rotate());

    assertNotEquals(old, rotation.newKid());
    assertEquals(rotation.newKid(), keys.currentKid());
    assertEquals(List.of(old), rotation.retiredKids());
    assertEquals(clock.instant().plus(GRACE), rotation.retiredPublishedUntil());
    assertEquals(List.of(rotation.newKid(), old), kids(keys.jwksJson()));

    clock.advance(GRACE.minusSeconds(1));
    assertEquals(List.of(rotation.newKid(), old), kids(keys.jwksJson()));

    clock.advance(Duration.ofSeconds(1));
    assertEquals(List.of(rotation.newKid()), kids(keys.jwksJson()));
  }

  @Test
  void dropExpired_removesOnlyKeysPastGrace() {
    var keys = dev.stepgate.Async.join(SigningKeys.load(store, clock, GRACE));
    var first = keys.currentKid();
    dev.stepgate.Async.join(keys.rotate());
    clock.advance(Duration.ofHours(12));
    var second = keys.currentKid();
    dev.stepgate.Async.join(keys.rotate());

    assertEquals(0, dev.stepgate.Async.join(keys.dropExpired()));
    clock.advance(Duration.ofHours(12).plusSeconds(1));
    assertEquals(1, dev.stepgate.Async.join(keys.dropExpired()));

    var left = store.snapshot().stream().map(k -> k.kid()).toList();
    assertFalse(left.contains(first));
    assertTrue(left.contains(second));
    assertEquals(2, left.size());
  }

  @Test
  void start_corruptKeyPastGrace_isIgnoredNotFatal() {
    var keys = dev.stepgate.Async.join(SigningKeys.load(store, clock, GRACE));
    var old = keys.currentKid();
    dev.stepgate.Async.join(keys.rotate());
    store.corrupt(old, "not json");
    clock.advance(GRACE.plusSeconds(1));

    var restarted = dev.stepgate.Async.join(SigningKeys.load(store, clock, GRACE));
    assertEquals(keys.currentKid(), restarted.currentKid());
  }

  @Test
  void reload_otherNodeRotated_picksUpNewCurrentKey() throws Exception {
    var nodeA = dev.stepgate.Async.join(SigningKeys.load(store, clock, GRACE));
    var nodeB = dev.stepgate.Async.join(SigningKeys.load(store, clock, GRACE));

    var rotation = dev.stepgate.Async.join(nodeA.rotate());
    assertNotEquals(rotation.newKid(), nodeB.currentKid());

    dev.stepgate.Async.join(nodeB.reload());
    assertEquals(rotation.newKid(), nodeB.currentKid());
    assertEquals(kids(nodeA.jwksJson()), kids(nodeB.jwksJson()));
  }

  @Test
  void reload_corruptKey_failsAndKeepsPreviousKeys() {
    var keys = dev.stepgate.Async.join(SigningKeys.load(store, clock, GRACE));
    var kid = keys.currentKid();
    store.corrupt(kid, "{}");

    assertThrows(IdentityException.class, () -> dev.stepgate.Async.join(keys.reload()));
    assertEquals(kid, keys.currentKid());
  }

  @Test
  void reload_storeWithoutCurrentKey_failsClosed() {
    var keys = dev.stepgate.Async.join(SigningKeys.load(store, clock, GRACE));
    store.retire(keys.currentKid(), clock.instant());

    var e = assertThrows(IdentityException.class, () -> dev.stepgate.Async.join(keys.reload()));
    assertTrue(e.getMessage().contains("no current key"), e.getMessage());
  }

  @Test
  void constructor_nonPositiveGrace_isRejected() {
    var e = assertThrows(IllegalArgumentException.class, () -> dev.stepgate.Async.join(SigningKeys.load(store, clock, Duration.ZERO)));
    assertEquals("grace must be positive", e.getMessage());
  }
}
