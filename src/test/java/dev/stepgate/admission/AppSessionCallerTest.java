package dev.stepgate.admission;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stepgate.session.MemorySessionStore;
import dev.stepgate.session.SessionCookie;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The bolt-on caller source on its own: which cookies count, what is cached, and for how long. */
class AppSessionCallerTest {
  final dev.stepgate.testing.TestClock clock = new dev.stepgate.testing.TestClock();
  final List<String> asked = new CopyOnWriteArrayList<>();
  final Map<String, String> users = new java.util.concurrent.ConcurrentHashMap<>(Map.of("SID=a1", "alice", "SID=b2", "bob"));
  volatile boolean down;

  final AppSessionCaller.Whoami whoami = cookies -> {
    asked.add(cookies);
    if (down) return CompletableFuture.failedFuture(new dev.stepgate.StepgateException("whoami-unavailable", 503, "down"));
    var name = users.get(cookies.replaceAll(";.*", ""));
    return CompletableFuture.completedFuture(Optional.ofNullable(name).map(n -> new AppSessionCaller.AppUser(n, Set.of("g"))));
  };

  AppSessionCaller caller(Duration cache) {
    var sessions = new MemorySessionStore(Duration.ofMinutes(30), Duration.ofHours(12), 1000, clock);
    return new AppSessionCaller(List.of("SID", "XSRF"), whoami, name -> CompletableFuture.completedFuture(Optional.of("id-" + name)),
        sessions, new SessionCookie(false), clock, new byte[32], cache);
  }

  @Test
  void onlyTheConfiguredCookies_areSent_inConfiguredOrder_andADuplicateIsNobody() {
    var c = caller(Duration.ofSeconds(60));
    assertEquals("SID=a1; XSRF=t", c.appCookies("other=1; XSRF=t; stepgate=zzz; SID=a1").orElseThrow().header());
    assertTrue(c.appCookies("other=1; stepgate=zzz").isEmpty());
    assertTrue(c.appCookies("SID=a1; SID=b2").isEmpty(), "which one would the app read?");
    assertTrue(c.appCookies("SID=").isEmpty());
    assertNotEquals(c.appCookies("SID=a1").orElseThrow().binding(), c.appCookies("SID=a2").orElseThrow().binding());
    assertEquals(Optional.empty(), c.caller("SID=a1; SID=b2").toCompletableFuture().join());
    assertTrue(asked.isEmpty());
  }

  @Test
  void headersRememberedPerThread_neverAnswerForAnotherHeader() {
    var c = caller(Duration.ofSeconds(60));
    var headers = List.of("SID=a1", "SID=a2", "other=1; SID=a1", "SID=a3; XSRF=t", "SID=a1; SID=a1", "SID=a4");
    var expected = new ArrayList<Optional<String>>();
    for (var h : headers) expected.add(caller(Duration.ofSeconds(60)).appCookies(h).map(a -> a.header() + "|" + a.binding()));
    for (int round = 0; round < 3; round++)
      for (int i = 0; i < headers.size(); i++) {
        // a new String each time, as every request brings: equal text, another object
        var h = new String(headers.get(i).toCharArray());
        assertEquals(expected.get(i), c.appCookies(h).map(a -> a.header() + "|" + a.binding()), h);
        assertEquals(expected.get(i), c.appCookies(h).map(a -> a.header() + "|" + a.binding()), h + " again");
      }
    var app = c.caller("SID=a1").toCompletableFuture().join().orElseThrow();
    assertTrue(app == c.caller(new String("SID=a1")).toCompletableFuture().join().orElseThrow(),
        "one cached answer, one app session object: its identity headers are found again");
  }

  @Test
  void anAnswer_isCachedForTheConfiguredTime_nobodyForAtMostFiveSeconds() {
    var c = caller(Duration.ofSeconds(60));
    var s = c.caller("SID=a1").toCompletableFuture().join().orElseThrow();
    assertEquals("alice", s.username());
    assertEquals("id-alice", s.userId());
    assertEquals(Set.of("g"), s.groups());
    assertTrue(AppSessionCaller.unstored(s));
    assertEquals(Optional.of(Optional.of(s)), c.callerNow("SID=a1"), "known at once from the cache");
    c.caller("SID=a1").toCompletableFuture().join();
    assertEquals(1, asked.size());
    clock.advance(Duration.ofSeconds(61));
    c.caller("SID=a1").toCompletableFuture().join();
    assertEquals(2, asked.size(), "asked again once the answer expired");

    assertEquals(Optional.empty(), c.caller("SID=zz").toCompletableFuture().join());
    users.put("SID=zz", "carol"); // signed in to the app under the same cookie value
    assertEquals(Optional.empty(), c.caller("SID=zz").toCompletableFuture().join());
    clock.advance(Duration.ofSeconds(6));
    assertEquals("carol", c.caller("SID=zz").toCompletableFuture().join().orElseThrow().username());
  }

  @Test
  void aFailedQuestion_failsTheCaller_andIsNotCached() {
    var c = caller(Duration.ofSeconds(60));
    down = true;
    var e = assertThrows(CompletionException.class, () -> c.caller("SID=a1").toCompletableFuture().join());
    assertTrue(e.getCause() instanceof dev.stepgate.StepgateException);
    assertEquals(Optional.empty(), c.callerNow("SID=a1"), "nothing known: ask");
    down = false;
    assertEquals("alice", c.caller("SID=a1").toCompletableFuture().join().orElseThrow().username());
    assertEquals(2, asked.size());
  }

  @Test
  void concurrentRequests_askOnce() throws Exception {
    var gate = new CompletableFuture<Optional<AppSessionCaller.AppUser>>();
    var calls = new ArrayList<String>();
    var sessions = new MemorySessionStore(Duration.ofMinutes(30), Duration.ofHours(12), 1000, clock);
    var c = new AppSessionCaller(List.of("SID"), cookies -> {
      synchronized (calls) {
        calls.add(cookies);
      }
      return gate;
    }, name -> CompletableFuture.completedFuture(Optional.of("id")), sessions, new SessionCookie(false), clock, new byte[32],
        Duration.ofSeconds(60));
    var waiting = new ArrayList<CompletableFuture<?>>();
    for (int i = 0; i < 20; i++) waiting.add(c.caller("SID=a1").toCompletableFuture());
    gate.complete(Optional.of(new AppSessionCaller.AppUser("alice", Set.of())));
    for (var w : waiting) w.get();
    assertEquals(1, calls.size());
  }
}
