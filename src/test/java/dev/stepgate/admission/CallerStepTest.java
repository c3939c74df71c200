package dev.stepgate.admission;

import static org.junit.jupiter.api.Assertions.*;

import dev.stepgate.revocation.LocalRevocationBus;
import dev.stepgate.revocation.Revocation;
import dev.stepgate.session.MemorySessionStore;
import dev.stepgate.session.Session;
import dev.stepgate.session.SessionCookie;
import dev.stepgate.session.SessionIds;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

/** The caller carries the user's groups on both paths, and an unreadable group list fails like an unreadable session. */
class CallerStepTest {
  final StoredGroupsTest.FakeUsers users = new StoredGroupsTest.FakeUsers();
  final StoredGroups groups = new StoredGroups(users);
  final MemorySessionStore sessions = new MemorySessionStore(Duration.ofMinutes(30), Duration.ofHours(12));
  final SessionCookie cookie = new SessionCookie(false);
  final CallerStep step = new CallerStep(sessions, cookie, groups);
  final Session session = new Session(SessionIds.next(), "u1", "alice", Instant.now(), "AQID", false, true,
      Optional.empty(), Instant.now());

  AdmissionRequest request(String cookieHeader) {
    return new AdmissionRequest("GET", "app.example", "/", "/", cookieHeader, "127.0.0.1", "127.0.0.1",
        java.util.List.of(), false, false, "r1", EntryPoint.PROXY);
  }

  AdmissionRequest signedIn() throws Exception {
    StoredGroupsTest.await(sessions.create(session));
    return request(cookie.name() + "=" + session.id());
  }

  @Test
  void caller_attachesTheUsersGroups() throws Exception {
    users.groups.put("u1", Set.of("admins", "ops"));
    var found = StoredGroupsTest.await(step.caller(signedIn())).orElseThrow();
    assertEquals(Set.of("admins", "ops"), found.groups());
    assertEquals(session.id(), found.id());
  }

  @Test
  void callerNow_groupsNotKnownYet_defersToTheAsynchronousPath_thenKnowsThem() throws Exception {
    users.groups.put("u1", Set.of("admins"));
    var req = signedIn();
    assertEquals(Optional.empty(), step.callerNow(req), "the session is known, its groups are not: ask caller()");
    StoredGroupsTest.await(step.caller(req));
    assertEquals(Set.of("admins"), step.callerNow(req).orElseThrow().orElseThrow().groups());
  }

  @Test
  void callerNow_afterAGroupsNotice_defersAgain_andTheNewGroupsCount() throws Exception {
    var bus = new LocalRevocationBus();
    try (var following = groups.follow(bus)) {
      users.groups.put("u1", Set.of("admins"));
      var req = signedIn();
      StoredGroupsTest.await(step.caller(req));
      users.groups.put("u1", Set.of());
      bus.publish(new Revocation.GroupsChanged("u1"));
      assertEquals(Optional.empty(), step.callerNow(req));
      assertEquals(Set.of(), StoredGroupsTest.await(step.caller(req)).orElseThrow().groups());
      assertTrue(sessions.findNow(session.id()).isPresent(), "still signed in");
    }
  }

  @Test
  void caller_groupsUnreadable_countAsNone_theSessionStillCounts() throws Exception {
    users.failing = true;
    var s = StoredGroupsTest.await(step.caller(signedIn())).orElseThrow();
    assertEquals(java.util.Set.of(), s.groups());
  }

  @Test
  void nobody_needsNoGroups() throws Exception {
    users.failing = true;
    assertEquals(Optional.empty(), StoredGroupsTest.await(step.caller(request(null))));
    assertEquals(Optional.of(Optional.empty()), step.callerNow(request(null)));
    assertEquals(0, users.reads.get());
  }
}
