package dev.stepgate.identity;

import dev.stepgate.testing.TestClock;
import static dev.stepgate.identity.AssertionSignerTest.AUD;
import static dev.stepgate.identity.AssertionSignerTest.START;
import static dev.stepgate.identity.AssertionSignerTest.authenticated;
import static dev.stepgate.identity.AssertionSignerTest.steppedUp;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Date;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class AssertionCacheTest {
  private final InMemorySigningKeyStore store = new InMemorySigningKeyStore();
  private final TestClock clock = new TestClock(START);
  private final SigningKeys keys = dev.stepgate.Async.join(SigningKeys.load(store, clock, Duration.ofHours(24)));
  private final AssertionSigner signer = new AssertionSigner(keys, clock, AssertionSigner.MAX_LIFETIME);
  private final AssertionCache cache = new AssertionCache(signer, clock, AssertionCache.DEFAULT_MAXIMUM_SIZE);

  @Test
  void assertionFor_sameClaimsWithinWindow_reusesToken() {
    var first = cache.assertionFor(authenticated());
    clock.advance(Duration.ofSeconds(239));

    assertSame(first, cache.assertionFor(authenticated()));
  }

  @Test
  void assertionFor_atRefreshPoint_signsNewTokenThatVerifies() throws Exception {
    var first = cache.assertionFor(authenticated());
    clock.advance(Duration.ofSeconds(240)); // 60 s before exp

    var second = cache.assertionFor(authenticated());

    assertNotEquals(first.token(), second.token());
    assertEquals(START.plusSeconds(240), second.issuedAt());
    IndependentVerifier.verify(keys.jwksJson(), second.token(), AUD, Date.from(clock.instant()));
    assertSame(second, cache.assertionFor(authenticated()));
  }

  @Test
  void assertionFor_handedOutToken_alwaysHasAtLeast60sLeft() {
    for (int s = 0; s < 900; s += 7) {
      var a = cache.assertionFor(authenticated());
      assertTrue(Duration.between(clock.instant(), a.expiresAt()).toSeconds() > 60, "at +" + s + "s");
      clock.advance(Duration.ofSeconds(7));
    }
  }

  @Test
  void assertionFor_afterRotate_signsWithNewKey() throws Exception {
    var before = cache.assertionFor(authenticated());
    var rotation = dev.stepgate.Async.join(keys.rotate());

    var after = cache.assertionFor(authenticated());

    assertNotEquals(before.token(), after.token());
    assertEquals(rotation.newKid(), after.kid());
    IndependentVerifier.verify(keys.jwksJson(), after.token(), AUD, Date.from(clock.instant()));
  }

  @Test
  void assertionFor_afterOtherNodeRotatesAndReload_signsWithNewKey() {
    var before = cache.assertionFor(authenticated());
    var otherNode = dev.stepgate.Async.join(SigningKeys.load(store, clock, Duration.ofHours(24)));
    var rotation = dev.stepgate.Async.join(otherNode.rotate());
    assertSame(before, cache.assertionFor(authenticated()), "no reload yet: old key still current here");

    dev.stepgate.Async.join(keys.reload());

    assertEquals(rotation.newKid(), cache.assertionFor(authenticated()).kid());
  }

  @Test
  void assertionFor_claimsDifferingInAnyField_getDifferentTokens() {
    var base = authenticated();
    var otherRule = new AssertionClaims(base.iss(), base.aud(), base.sub(), base.preferredUsername(), base.sid(),
        base.authTime(), base.stepUpTime(), base.amr(), base.acr(), "another-rule");
    var otherSession = new AssertionClaims(base.iss(), base.aud(), base.sub(), base.preferredUsername(),
        AssertionClaims.sessionIdHash("session-secret-2"), base.authTime(), base.stepUpTime(), base.amr(),
        base.acr(), base.rule());
    var otherAmr = new AssertionClaims(base.iss(), base.aud(), base.sub(), base.preferredUsername(), base.sid(),
        base.authTime(), Optional.empty(), AssertionClaims.amrFor(true, true), base.acr(), base.rule());
    var withGroups = withGroups(base, java.util.List.of("admins"));
    var otherGroups = withGroups(base, java.util.List.of("admins", "ops"));

    var tokens = new java.util.HashSet<String>();
    for (var c : java.util.List.of(base, otherRule, otherSession, otherAmr, steppedUp(), withGroups, otherGroups))
      tokens.add(cache.assertionFor(c).token());
    assertEquals(7, tokens.size());
    assertEquals(cache.assertionFor(otherGroups).token(), cache.assertionFor(withGroups(base, java.util.List.of("ops", "admins"))).token(),
        "the same groups in another order are the same claims");
  }

  @Test
  void assertionFor_concurrentCallers_allGetOneToken() throws Exception {
    var pool = Executors.newFixedThreadPool(8);
    var start = new CountDownLatch(1);
    var seen = ConcurrentHashMap.<String>newKeySet();
    try {
      for (int i = 0; i < 8; i++) {
        pool.submit(() -> {
          start.await();
          for (int j = 0; j < 1000; j++) seen.add(cache.assertionFor(authenticated()).token());
          return null;
        });
      }
      start.countDown();
    } finally {
      pool.shutdown();
      assertTrue(pool.awaitTermination(30, TimeUnit.SECONDS));
    }
    assertEquals(1, seen.size());
  }

  @Test
  void assertionFor_hit_isCheap() {
    var claims = authenticated();
    cache.assertionFor(claims);
    for (int i = 0; i < 200_000; i++) cache.assertionFor(claims); // warm up
    int n = 1_000_000;
    long t0 = System.nanoTime();
    for (int i = 0; i < n; i++) cache.assertionFor(claims);
    long perHit = (System.nanoTime() - t0) / n;
    // A raw ES256 signature costs tens of microseconds; a hit must be far below it (JMH has the
    // precise figures: bench/RESULTS-identity.md). Loose bound so a busy CI box does not flake.
    assertTrue(perHit < 5_000, "cache hit took " + perHit + " ns");
  }

  @Test
  void constructor_lifetimeNotAboveRefreshMargin_isRejected() {
    var shortSigner = new AssertionSigner(keys, clock, Duration.ofSeconds(60));
    var e = assertThrows(IllegalArgumentException.class, () -> new AssertionCache(shortSigner, clock, 10));
    assertEquals("signer lifetime must exceed 60s", e.getMessage());
  }

  @Test
  void constructor_nonPositiveSize_isRejected() {
    var e = assertThrows(IllegalArgumentException.class, () -> new AssertionCache(signer, clock, 0));
    assertEquals("maximum size must be positive", e.getMessage());
  }

  static AssertionClaims withGroups(AssertionClaims c, java.util.List<String> groups) {
    return new AssertionClaims(c.iss(), c.aud(), c.sub(), c.preferredUsername(), c.sid(), c.authTime(), c.stepUpTime(),
        c.amr(), c.acr(), c.rule(), c.jti(), groups);
  }
}
