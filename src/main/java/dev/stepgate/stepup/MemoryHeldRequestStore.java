package dev.stepgate.stepup;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;
import com.github.benmanes.caffeine.cache.Scheduler;
import dev.stepgate.session.SessionIds;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The memory backend of {@link HeldRequestStore}, for one node: held POSTs, single-use and
 * expiring, within two explicit bounds: at most {@code perSession} per session, and at most
 * {@code maxBytes} (bodies, headers and {@link HeldRequest#OVERHEAD_BYTES} each) for the whole
 * process. Room is {@linkplain #reserve reserved} before a body is read and
 * grown chunk by chunk while it is read, so a request that would pass a bound is refused before it
 * occupies memory; a refused request changes nothing (the ones already held stay). Nothing held is
 * ever evicted to make room: a held request leaves only when it is taken or expires.
 *
 * <p>A held request is only ever handed back to the session it was held for: {@link #take}
 * removes it atomically, so a second replay finds nothing.
 */
public final class MemoryHeldRequestStore implements HeldRequestStore {
  private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);

  private final int perSession;
  private final long maxBytes;
  private final Cache<String, Held> held;
  private final AtomicLong bytes = new AtomicLong();
  /**
   * Each session's reservations and held ids; absent means none. A {@link Slots} is only read and
   * changed inside {@code sessions.compute} for its key, never while calling into {@link #held}.
   */
  private final ConcurrentHashMap<String, Slots> sessions = new ConcurrentHashMap<>();

  /** A held request and the bytes counted for it. */
  private record Held(HeldRequest request, long bytes) {}

  private static final class Slots {
    int reading;
    final Set<String> held = new HashSet<>(4);

    int count() {
      return reading + held.size();
    }

    Slots orNullWhenEmpty() {
      return count() == 0 ? null : this;
    }
  }

  /**
   * @param perSession how many requests one session may hold (and be reading) at once, at least 1
   * @param maxBytes how many bytes all held (and reserved) requests may occupy together
   */
  public MemoryHeldRequestStore(int perSession, long maxBytes) {
    if (perSession < 1) throw new IllegalArgumentException("perSession must be at least 1");
    if (maxBytes < 1) throw new IllegalArgumentException("maxBytes must be positive");
    this.perSession = perSession;
    this.maxBytes = maxBytes;
    // The removal listener gives back what an entry counted. It runs on the thread that removed
    // the entry (no executor hop), so the counts are exact when take() returns; the scheduler
    // expires entries on time instead of at the next cache access.
    this.held = Caffeine.newBuilder().expireAfterWrite(TTL).executor(Runnable::run)
        .scheduler(Scheduler.systemScheduler())
        .<String, Held>removalListener((id, h, cause) -> {
          if (h == null || cause == RemovalCause.REPLACED) return;
          bytes.addAndGet(-h.bytes());
          update(h.request().sessionId(), slots -> slots.held.remove(id));
        })
        .build();
  }

  /**
   * Reserves room for one request of {@code sessionId} that occupies {@code bytes} so far (see
   * {@link HeldRequest#sizeWithoutBody}); empty when the session already holds {@code perSession}
   * requests or the process has no {@code bytes} left. The caller grows the reservation before
   * buffering each chunk of the body, and either {@linkplain Reservation#hold holds} the request or
   * {@linkplain Reservation#release releases} the room.
   */
  @Override
  public CompletionStage<Optional<HeldRequestStore.Reservation>> reserve(String sessionId, long bytes) {
    return CompletableFuture.completedFuture(Optional.ofNullable(reserveNow(sessionId, bytes)));
  }

  private Reservation reserveNow(String sessionId, long bytes) {
    if (sessionId == null || bytes < 0) return null;
    boolean[] slot = {false};
    sessions.compute(sessionId, (k, slots) -> {
      var s = slots == null ? new Slots() : slots;
      if (s.count() >= perSession) return slots;
      slot[0] = true;
      s.reading++;
      return s;
    });
    if (!slot[0]) return null;
    if (!add(bytes)) {
      update(sessionId, s -> s.reading--);
      return null;
    }
    return new Reservation(sessionId, bytes);
  }

  /** Room taken for one request while its body is read; becomes a held request or is given back. */
  private final class Reservation implements HeldRequestStore.Reservation {
    private final String sessionId;
    private long reserved;
    private boolean open = true;

    private Reservation(String sessionId, long reserved) {
      this.sessionId = sessionId;
      this.reserved = reserved;
    }

    @Override
    public synchronized boolean grow(long more) {
      if (!open || more < 0 || !add(more)) return false;
      reserved += more;
      return true;
    }

    @Override
    public synchronized CompletionStage<String> hold(HeldRequest request) {
      if (!open) throw new IllegalStateException("this reservation was already used or released");
      if (!same(request.sessionId(), sessionId)) throw new IllegalArgumentException("the request is another session's");
      if (request.size() > reserved) throw new IllegalArgumentException("the request is larger than what was reserved");
      open = false;
      var id = SessionIds.next().substring(0, 22);
      // Indexed before it is visible: nobody can take or expire it in between.
      update(sessionId, s -> {
        s.reading--;
        s.held.add(id);
      });
      held.put(id, new Held(request, reserved));
      return CompletableFuture.completedFuture(id);
    }

    @Override
    public synchronized void release() {
      if (!open) return;
      open = false;
      bytes.addAndGet(-reserved);
      update(sessionId, s -> s.reading--);
    }
  }

  @Override
  public CompletionStage<Optional<HeldRequest>> peek(String id, String sessionId) {
    var h = id == null ? null : held.getIfPresent(id);
    return CompletableFuture.completedFuture(
        h != null && same(h.request().sessionId(), sessionId) ? Optional.of(h.request()) : Optional.empty());
  }

  @Override
  public CompletionStage<Optional<HeldRequest>> take(String id, String sessionId) {
    if (id == null) return CompletableFuture.completedFuture(Optional.empty());
    var taken = new HeldRequest[1];
    held.asMap().computeIfPresent(id, (k, h) -> {
      if (!same(h.request().sessionId(), sessionId)) return h;
      taken[0] = h.request();
      return null; // the removal listener gives its room back
    });
    return CompletableFuture.completedFuture(Optional.ofNullable(taken[0]));
  }

  /** {@inheritDoc} They keep the bytes counted for them. */
  @Override
  public CompletionStage<Void> rebindAll(String oldSessionId, String newSessionId) {
    if (oldSessionId == null || newSessionId == null || oldSessionId.equals(newSessionId)) return DONE;
    var ids = new ArrayList<String>();
    update(oldSessionId, s -> ids.addAll(s.held));
    for (var id : ids) {
      held.asMap().computeIfPresent(id, (k, h) -> {
        if (!same(h.request().sessionId(), oldSessionId)) return h;
        update(oldSessionId, s -> s.held.remove(id));
        sessions.compute(newSessionId, (n, s) -> {
          var slots = s == null ? new Slots() : s;
          slots.held.add(id);
          return slots;
        });
        return new Held(h.request().rebind(newSessionId), h.bytes());
      });
    }
    return DONE;
  }

  /** Bytes counted for held and reserved requests right now. */
  public long bytesInUse() {
    return bytes.get();
  }

  private boolean add(long more) {
    while (true) {
      long now = bytes.get();
      if (more > maxBytes - now) return false;
      if (bytes.compareAndSet(now, now + more)) return true;
    }
  }

  /** Changes the slots of {@code sessionId}, if it has any, atomically; drops them when empty. */
  private void update(String sessionId, java.util.function.Consumer<Slots> change) {
    sessions.computeIfPresent(sessionId, (k, s) -> {
      change.accept(s);
      return s.orNullWhenEmpty();
    });
  }

  private static boolean same(String a, String b) {
    return a != null && b != null
        && MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
  }
}
