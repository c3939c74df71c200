package dev.stepgate.session;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Optional;

/**
 * Held POSTs, single-use and expiring. A held request is only ever handed back to the session it
 * was held for: {@link #take} removes it atomically, so a second replay finds nothing.
 */
public final class HeldRequests {
  public static final Duration TTL = Duration.ofMinutes(10);
  private final Cache<String, HeldRequest> held;

  public HeldRequests(long maxEntries) {
    this.held = Caffeine.newBuilder().maximumSize(maxEntries).expireAfterWrite(TTL).build();
  }

  /** Holds {@code request}; returns its id (random, 128-bit). */
  public String hold(HeldRequest request) {
    var id = SessionIds.next().substring(0, 22);
    held.put(id, request);
    return id;
  }

  /** The held request {@code id} of {@code sessionId}, if any; never another session's. */
  public Optional<HeldRequest> peek(String id, String sessionId) {
    var h = id == null ? null : held.getIfPresent(id);
    return h != null && same(h.sessionId(), sessionId) ? Optional.of(h) : Optional.empty();
  }

  /** Removes and returns the held request {@code id} if it belongs to {@code sessionId}. */
  public Optional<HeldRequest> take(String id, String sessionId) {
    if (id == null) return Optional.empty();
    var taken = new HeldRequest[1];
    held.asMap().computeIfPresent(id, (k, h) -> {
      if (!same(h.sessionId(), sessionId)) return h;
      taken[0] = h;
      return null;
    });
    return Optional.ofNullable(taken[0]);
  }

  /** Moves a held request to the session's new id after the id rotated at step-up. */
  public void rebind(String id, String oldSessionId, String newSessionId) {
    if (id == null) return;
    held.asMap().computeIfPresent(id, (k, h) -> same(h.sessionId(), oldSessionId) ? h.rebind(newSessionId) : h);
  }

  private static boolean same(String a, String b) {
    return a != null && b != null
        && MessageDigest.isEqual(a.getBytes(java.nio.charset.StandardCharsets.UTF_8), b.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }
}
