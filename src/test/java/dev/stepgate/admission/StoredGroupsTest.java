package dev.stepgate.admission;

import static org.junit.jupiter.api.Assertions.*;

import dev.stepgate.credential.CredentialException;
import dev.stepgate.credential.User;
import dev.stepgate.credential.UserStore;
import dev.stepgate.revocation.LocalRevocationBus;
import dev.stepgate.revocation.Revocation;
import dev.stepgate.session.Session;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The gateway-mode group source: read once per user, dropped on a groups notice, never a failure kept. */
class StoredGroupsTest {
  static final Instant T = Instant.parse("2026-12-01T10:00:00Z");

  /** Only {@link #groups} answers; {@code failing} makes it fail as an unavailable store does. */
  static final class FakeUsers implements UserStore {
    final Map<String, Set<String>> groups = new ConcurrentHashMap<>();
    final AtomicInteger reads = new AtomicInteger();
    volatile boolean failing;
    volatile CompletableFuture<Void> gate = CompletableFuture.completedFuture(null);

    @Override
    public CompletionStage<Set<String>> groups(String userId) {
      reads.incrementAndGet();
      if (failing) return CompletableFuture.failedFuture(CredentialException.unavailable(new RuntimeException("down")));
      var now = groups.getOrDefault(userId, Set.of());
      return gate.thenApply(x -> now);
    }

    @Override public CompletionStage<Void> create(User user) { throw new UnsupportedOperationException(); }
    @Override public CompletionStage<Optional<User>> byUsername(String username) { throw new UnsupportedOperationException(); }
    @Override public CompletionStage<Optional<User>> byId(String userId) { throw new UnsupportedOperationException(); }
    @Override public CompletionStage<List<User>> all() { throw new UnsupportedOperationException(); }
    @Override public CompletionStage<Boolean> setDisabled(String userId, boolean disabled) { throw new UnsupportedOperationException(); }
    @Override public CompletionStage<Boolean> addGroup(String userId, String group) { throw new UnsupportedOperationException(); }
    @Override public CompletionStage<Boolean> removeGroup(String userId, String group) { throw new UnsupportedOperationException(); }
  }

  final FakeUsers users = new FakeUsers();
  final LocalRevocationBus bus = new LocalRevocationBus();
  final StoredGroups groups = new StoredGroups(users);

  static Session session(String userId) {
    return new Session("s".repeat(43), userId, "alice", T, "AQID", false, true, Optional.empty(), T);
  }

  static <T> T await(CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(5, TimeUnit.SECONDS);
  }

  @Test
  void groupsOf_readsOnce_thenKnowsThemNow() throws Exception {
    users.groups.put("u1", Set.of("admins"));
    assertEquals(Optional.empty(), groups.groupsNow(session("u1")), "not read yet");
    assertEquals(Set.of("admins"), await(groups.groupsOf(session("u1"))));
    assertEquals(Optional.of(Set.of("admins")), groups.groupsNow(session("u1")));
    assertEquals(Set.of("admins"), await(groups.groupsOf(session("u1"))));
    assertEquals(1, users.reads.get());
  }

  @Test
  void aGroupsNotice_dropsThatUserOnly_soTheNextReadSeesTheChange() throws Exception {
    try (var following = groups.follow(bus)) {
      users.groups.put("u1", Set.of("admins"));
      users.groups.put("u2", Set.of("ops"));
      await(groups.groupsOf(session("u1")));
      await(groups.groupsOf(session("u2")));
      users.groups.put("u1", Set.of());
      bus.publish(new Revocation.GroupsChanged("u1"));
      assertEquals(Optional.empty(), groups.groupsNow(session("u1")));
      assertEquals(Optional.of(Set.of("ops")), groups.groupsNow(session("u2")));
      assertEquals(Set.of(), await(groups.groupsOf(session("u1"))));
    }
  }

  @Test
  void otherRevocations_leaveTheGroupsAlone() throws Exception {
    try (var following = groups.follow(bus)) {
      users.groups.put("u1", Set.of("admins"));
      await(groups.groupsOf(session("u1")));
      bus.publish(new Revocation.UserSessionsEnded("u1"));
      assertEquals(Optional.of(Set.of("admins")), groups.groupsNow(session("u1")));
    }
  }

  @Test
  void aNoticeDuringARead_isNotUndoneByTheReadsAnswer() throws Exception {
    try (var following = groups.follow(bus)) {
      users.groups.put("u1", Set.of("admins"));
      users.gate = new CompletableFuture<>();
      var inFlight = groups.groupsOf(session("u1"));
      bus.publish(new Revocation.GroupsChanged("u1"));
      users.gate.complete(null);
      await(inFlight);
      assertEquals(Optional.empty(), groups.groupsNow(session("u1")), "the stale answer is not kept");
    }
  }

  @Test
  void aFailedRead_failsTheStage_andIsNotKept() throws Exception {
    users.failing = true;
    var e = assertThrows(java.util.concurrent.ExecutionException.class, () -> await(groups.groupsOf(session("u1"))));
    assertInstanceOf(CredentialException.class, e.getCause());
    assertEquals(Optional.empty(), groups.groupsNow(session("u1")));
    users.failing = false;
    users.groups.put("u1", Set.of("admins"));
    assertEquals(Set.of("admins"), await(groups.groupsOf(session("u1"))));
  }

  @Test
  void anEntry_isReadAgainAfterItsTtl() throws Exception {
    var shortLived = new StoredGroups(users, 10, Duration.ofMillis(50));
    users.groups.put("u1", Set.of("admins"));
    await(shortLived.groupsOf(session("u1")));
    users.groups.put("u1", Set.of("ops"));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (shortLived.groupsNow(session("u1")).isPresent() && System.nanoTime() < deadline) Thread.sleep(10);
    assertEquals(Set.of("ops"), await(shortLived.groupsOf(session("u1"))));
  }

  @Test
  void anActiveUsersEntry_isReadAgainInTheBackground_whileTheHeldGroupsServe() throws Exception {
    var refreshing = new StoredGroups(users, 10, Duration.ofSeconds(2));
    users.groups.put("u1", Set.of("admins"));
    await(refreshing.groupsOf(session("u1")));
    Thread.sleep(1_100); // past half the TTL
    users.groups.put("u1", Set.of("ops"));
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(800);
    Optional<Set<String>> now;
    do {
      now = refreshing.groupsNow(session("u1"));
      assertTrue(now.isPresent(), "the held groups are served while they are read again");
    } while (!now.get().equals(Set.of("ops")) && System.nanoTime() < deadline);
    assertEquals(Optional.of(Set.of("ops")), now);
  }

  @Test
  void whileTheStoreIsDown_theHeldGroupsServeUntilTheTtl_thenTheCallerFails() throws Exception {
    var refreshing = new StoredGroups(users, 10, Duration.ofSeconds(1));
    users.groups.put("u1", Set.of("admins"));
    await(refreshing.groupsOf(session("u1")));
    Thread.sleep(600);
    users.failing = true;
    assertEquals(Optional.of(Set.of("admins")), refreshing.groupsNow(session("u1")), "a failed refresh keeps them");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (refreshing.groupsNow(session("u1")).isPresent() && System.nanoTime() < deadline) Thread.sleep(10);
    assertEquals(Optional.empty(), refreshing.groupsNow(session("u1")), "never past the TTL");
    assertThrows(java.util.concurrent.ExecutionException.class, () -> await(refreshing.groupsOf(session("u1"))));
  }

  @Test
  void preload_startsTheRead_soTheGroupsAreKnownNow() throws Exception {
    users.groups.put("u1", Set.of("admins"));
    groups.preload(session("u1"));
    assertEquals(Optional.of(Set.of("admins")), groups.groupsNow(session("u1")));
    assertEquals(1, users.reads.get());
  }

  @Test
  void preloadingSessions_readTheGroupsAtSignIn() throws Exception {
    users.groups.put("u1", Set.of("admins"));
    var sessions = new GroupPreloadingSessions(new dev.stepgate.session.MemorySessionStore(Duration.ofMinutes(30),
        Duration.ofHours(12)), groups);
    var now = Instant.now();
    var s = new Session(dev.stepgate.session.SessionIds.next(), "u1", "alice", now, "AQID", false, true, Optional.empty(), now);
    await(sessions.create(s));
    assertEquals(Optional.of(Set.of("admins")), groups.groupsNow(s));
    assertEquals(Optional.of(s), sessions.findNow(s.id()));
    assertEquals(java.util.OptionalLong.of(1), sessions.activeNow());
  }

  @Test
  void constructor_badBounds_areRejected() {
    assertEquals("maximum size must be positive",
        assertThrows(IllegalArgumentException.class, () -> new StoredGroups(users, 0, Duration.ofSeconds(1))).getMessage());
    assertEquals("ttl must be positive",
        assertThrows(IllegalArgumentException.class, () -> new StoredGroups(users, 1, Duration.ZERO)).getMessage());
  }
}
