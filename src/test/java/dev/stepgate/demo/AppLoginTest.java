package dev.stepgate.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The demo app's own sessions and password check, without HTTP: lifetime, bound, secrets. */
class AppLoginTest {
  static final Instant T0 = Instant.parse("2026-12-03T10:00:00Z");

  /** A clock the test moves. */
  static final class TestClock extends Clock {
    Instant now = T0;

    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  static final AppLogin.DemoAccount ALICE = AppLogin.ACCOUNTS.get(0);

  @Test
  void session_endsAtItsLifetime() {
    var clock = new TestClock();
    var login = new AppLogin(clock);
    var id = login.startSession(ALICE);
    clock.now = T0.plus(AppLogin.SESSION_LIFETIME).minusSeconds(1);
    assertEquals(Optional.of(ALICE), login.account(id));
    clock.now = T0.plus(AppLogin.SESSION_LIFETIME);
    assertEquals(Optional.empty(), login.account(id));
    assertEquals(0, login.sessionCount(), "an expired session is dropped when seen");
  }

  @Test
  void sessions_stayWithinTheirBound_theOldestGoesFirst() {
    var clock = new TestClock();
    var login = new AppLogin(clock);
    var first = login.startSession(ALICE);
    for (int i = 1; i < AppLogin.MAX_SESSIONS; i++) {
      clock.now = T0.plusMillis(i);
      login.startSession(ALICE);
    }
    assertEquals(AppLogin.MAX_SESSIONS, login.sessionCount());
    clock.now = T0.plus(Duration.ofMinutes(1));
    var last = login.startSession(ALICE);
    assertEquals(AppLogin.MAX_SESSIONS, login.sessionCount());
    assertEquals(Optional.empty(), login.account(first));
    assertEquals(Optional.of(ALICE), login.account(last));
  }

  @Test
  void sessionIds_are256RandomBits() {
    var login = new AppLogin(new TestClock());
    var seen = new HashSet<String>();
    for (int i = 0; i < 1000; i++) {
      var id = login.startSession(ALICE);
      assertTrue(id.matches("[A-Za-z0-9_-]{43}"), id);
      assertTrue(seen.add(id), "no id twice");
    }
  }

  @Test
  void check_acceptsOnlyTheAccountsOwnPassword() {
    var bob = AppLogin.ACCOUNTS.get(1);
    assertEquals(Optional.of(ALICE), AppLogin.check("alice@example.com", "alice-demo-password"));
    assertEquals(Optional.of(ALICE), AppLogin.check("Alice@Example.com", "alice-demo-password"), "email case-blind");
    assertEquals(Optional.of(bob), AppLogin.check("bob@example.com", "bob-demo-password"));
    assertEquals(Optional.empty(), AppLogin.check("alice@example.com", "bob-demo-password"));
    assertEquals(Optional.empty(), AppLogin.check("alice@example.com", "alice-demo-passwor"));
    assertEquals(Optional.empty(), AppLogin.check("alice@example.com", ""));
    assertEquals(Optional.empty(), AppLogin.check("nobody@example.com", "\0no such account"));
    assertEquals(Optional.empty(), AppLogin.check("alice@example.com", "alice-demo-password".repeat(100)));
  }

  @Test
  void endSession_endsOnlyThatSession() {
    var login = new AppLogin(new TestClock());
    var a = login.startSession(ALICE);
    var b = login.startSession(ALICE);
    assertNotEquals(a, b);
    login.endSession(a);
    assertEquals(Optional.empty(), login.account(a));
    assertEquals(Optional.of(ALICE), login.account(b));
  }
}
