package dev.stepgate.stepup;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Held form POSTs (SPEC section 5), behind an asynchronous port: one backend per file (memory,
 * Redis), each running {@code HeldRequestStoreContract}. A held request belongs to one
 * session, is handed back only to that session, leaves once ({@link #take}) and expires after
 * {@link #TTL}. Two explicit bounds hold: at most a configured number of requests per session
 * (those being read count), and at most a configured number of bytes in all; a request that would
 * pass either is refused before it occupies memory, and nothing held is evicted to make room.
 *
 * <p>Stages never complete on a thread the caller must not block, and they fail (never throw)
 * when the backend is unreachable.
 */
public interface HeldRequestStore {
  /** How long a held request waits for its step-up. */
  Duration TTL = Duration.ofMinutes(10);

  /**
   * Reserves room for one request of {@code sessionId} that occupies {@code bytes} so far (see
   * {@link HeldRequest#sizeWithoutBody}); empty when the session already holds (or is reading)
   * as many requests as it may, or there are not {@code bytes} left. The caller {@linkplain
   * Reservation#grow grows} the reservation before buffering each chunk of the body, then either
   * {@linkplain Reservation#hold holds} the request or {@linkplain Reservation#release releases}
   * the room.
   */
  CompletionStage<Optional<Reservation>> reserve(String sessionId, long bytes);

  /** Reserves exactly {@code request}'s size and holds it: its id, or empty when a bound refuses it. */
  default CompletionStage<Optional<String>> hold(HeldRequest request) {
    return reserve(request.sessionId(), request.size()).thenCompose(room -> room.isEmpty()
        ? CompletableFuture.completedFuture(Optional.<String>empty())
        : room.get().hold(request).thenApply(Optional::of));
  }

  /** The held request {@code id} of {@code sessionId}, left where it is; never another session's. */
  CompletionStage<Optional<HeldRequest>> peek(String id, String sessionId);

  /**
   * Removes and returns the held request {@code id} if it belongs to {@code sessionId}, atomically:
   * of any number of concurrent takes exactly one gets it, so it is replayed at most once.
   */
  CompletionStage<Optional<HeldRequest>> take(String id, String sessionId);

  /**
   * Moves every request held for {@code oldSessionId} to {@code newSessionId}, after the session's
   * id rotated at a step-up: the same person's forms (from other tabs too) are not lost at the
   * step-up they were held for. They count for the new id from then on.
   */
  CompletionStage<Void> rebindAll(String oldSessionId, String newSessionId);

  /** Room taken for one request while its body is read; becomes a held request or is given back. */
  interface Reservation {
    /**
     * Takes {@code more} bytes for the next chunk of the body; false (nothing taken) when they are
     * not left. Synchronous: it counts what this node is about to buffer, and is called per chunk.
     */
    boolean grow(long more);

    /**
     * Holds {@code request} (of this reservation's session, no larger than what was reserved) and
     * completes with its id (random, 128-bit); the room now belongs to the held request. Refused
     * with {@link IllegalStateException} when this reservation was already used or released, and
     * with {@link IllegalArgumentException} when the request is another session's or larger than
     * reserved (thrown, or as the stage's failure). When the stage fails nothing is held: {@link
     * #release} gives the room back.
     */
    CompletionStage<String> hold(HeldRequest request);

    /** Gives the room back, unless it was already used to hold a request; idempotent. */
    void release();
  }
}
