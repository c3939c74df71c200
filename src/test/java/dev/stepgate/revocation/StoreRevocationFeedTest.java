package dev.stepgate.revocation;

import static org.junit.jupiter.api.Assertions.*;

import dev.stepgate.credential.CredentialException;
import dev.stepgate.credential.CredentialId;
import dev.stepgate.credential.LoggedRevocation;
import dev.stepgate.credential.RevocationLog;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

class StoreRevocationFeedTest {
  /** A record in memory; {@code failing} makes reads throw as an unavailable store does. */
  static final class FakeLog implements RevocationLog {
    final List<LoggedRevocation> entries = new CopyOnWriteArrayList<>();
    volatile boolean failing;
    final List<Thread> readers = new CopyOnWriteArrayList<>();

    void append(String user, Optional<CredentialId> id) {
      entries.add(new LoggedRevocation(entries.size() + 1, Instant.EPOCH, user, id));
    }

    @Override
    public CompletionStage<Long> lastSeq() {
      return CompletableFuture.completedFuture((long) entries.size());
    }

    @Override
    public CompletionStage<List<LoggedRevocation>> after(long seq, int limit) {
      readers.add(Thread.currentThread());
      if (failing) return CompletableFuture.failedFuture(new CredentialException("storage-unavailable", 503, "down"));
      return CompletableFuture.completedFuture(
          entries.stream().filter(e -> e.seq() > seq).limit(Math.min(limit, MAX_BATCH)).toList());
    }
  }

  final FakeLog log = new FakeLog();
  final List<Revocation> published = new CopyOnWriteArrayList<>();
  final LocalRevocationBus bus = new LocalRevocationBus();

  {
    bus.subscribe(published::add);
  }

  @Test
  void poll_publishesOnlyEntriesAfterStart_inOrder_once() {
    log.append("old", Optional.empty());
    try (var feed = StoreRevocationFeed.start(log, bus, Duration.ofHours(1))) {
      log.append("u1", Optional.of(CredentialId.parse("AQID")));
      log.append("u2", Optional.empty());
      assertEquals(2, feed.poll());
      assertEquals(0, feed.poll());
      assertEquals(List.of(new Revocation.CredentialRevoked("u1", CredentialId.parse("AQID")),
          new Revocation.UserSessionsEnded("u2")), published);
    }
  }

  @Test
  void poll_aGroupsEntry_isPublishedAsGroupsChanged_whichEndsNoSession() {
    try (var feed = StoreRevocationFeed.start(log, bus, Duration.ofHours(1))) {
      log.entries.add(new LoggedRevocation(log.entries.size() + 1, Instant.EPOCH, LoggedRevocation.Kind.GROUPS, "u1",
          Optional.empty()));
      assertEquals(1, feed.poll());
      assertEquals(List.of(new Revocation.GroupsChanged("u1")), published);
      assertFalse(published.get(0).endsSessions());
      assertTrue(new Revocation.UserSessionsEnded("u1").endsSessions());
    }
  }

  @Test
  void poll_moreThanOneBatch_publishesEverything() {
    try (var feed = StoreRevocationFeed.start(log, bus, Duration.ofHours(1))) {
      for (int i = 0; i < RevocationLog.MAX_BATCH * 2 + 3; i++) log.append("u" + i, Optional.empty());
      assertEquals(RevocationLog.MAX_BATCH * 2 + 3, feed.poll());
    }
  }

  @Test
  void failedRead_isRetriedFromTheSamePosition() {
    try (var feed = StoreRevocationFeed.start(log, bus, Duration.ofHours(1))) {
      log.append("u1", Optional.empty());
      log.failing = true;
      assertThrows(CredentialException.class, feed::poll);
      log.failing = false;
      assertEquals(1, feed.poll());
      assertEquals(List.of(new Revocation.UserSessionsEnded("u1")), published);
    }
  }

  @Test
  void start_followsTheRecordOnItsOwnThread() throws Exception {
    try (var feed = StoreRevocationFeed.start(log, bus, Duration.ofMillis(10))) {
      log.failing = true; // a failing tick must not end the schedule
      Thread.sleep(50);
      log.failing = false;
      log.append("u1", Optional.empty());
      long deadline = System.nanoTime() + 2_000_000_000L;
      while (published.isEmpty() && System.nanoTime() < deadline) Thread.sleep(5);
      assertEquals(List.of(new Revocation.UserSessionsEnded("u1")), published);
      var names = new ArrayList<String>();
      for (var t : log.readers) names.add(t.getName());
      assertTrue(names.stream().allMatch("stepgate-revocation-feed"::equals), names.toString());
    }
  }
}
