package dev.stepgate.admission;

import com.github.benmanes.caffeine.cache.AsyncLoadingCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.stepgate.credential.UserStore;
import dev.stepgate.revocation.Revocation;
import dev.stepgate.revocation.RevocationBus;
import dev.stepgate.session.Session;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Gateway mode's {@link GroupSource}: the {@link UserStore}'s groups, through a near cache of
 * this node (user id → groups) so the signed-in request path does not read the store per request.
 *
 * <p>An entry is dropped when a {@link Revocation.GroupsChanged} for its user arrives on the bus
 * ({@link #follow}): a change made anywhere (the CLI in another process, another node) is in the
 * store's revocation record, which every node follows within a quarter second, so a change holds
 * within the second SPEC section 1 promises. {@link #SAFETY_TTL} bounds how long an entry can
 * outlive a lost notice. An entry is read again in the background once it is half that old (the
 * held groups are served meanwhile, so an active user's requests keep being decided at once); a
 * failed read is not cached, and once an entry has expired a caller whose groups cannot be read
 * fails (closed), as when the store is down for longer than the TTL.
 *
 * <p>Thread-safe. Concurrent misses for one user read the store once.
 */
public final class StoredGroups implements GroupSource {
  /** Most users whose groups one node holds. */
  public static final long DEFAULT_MAXIMUM_SIZE = 100_000;

  /** An entry is read again after this long even without a notice (one lost would otherwise last). */
  public static final Duration SAFETY_TTL = Duration.ofSeconds(30);

  private final AsyncLoadingCache<String, Set<String>> cache;

  /**
   * @param maximumSize most users held; must be positive
   * @param ttl how long an entry lives at most; must be positive
   */
  public StoredGroups(UserStore users, long maximumSize, Duration ttl) {
    if (users == null) throw new IllegalArgumentException("users must not be null");
    if (maximumSize <= 0) throw new IllegalArgumentException("maximum size must be positive");
    if (ttl == null || ttl.isNegative() || ttl.isZero()) throw new IllegalArgumentException("ttl must be positive");
    // The loader only starts a read (the store's stage): nothing blocks the thread that asks.
    this.cache = Caffeine.newBuilder()
        .maximumSize(maximumSize)
        .refreshAfterWrite(ttl.dividedBy(2).isZero() ? ttl : ttl.dividedBy(2))
        .expireAfterWrite(ttl)
        .executor(Runnable::run) // upkeep inline: no hand-off to the ForkJoin pool from the request path
        .buildAsync((id, executor) -> users.groups(id).thenApply(Set::<String>copyOf).toCompletableFuture());
  }

  /** With {@link #DEFAULT_MAXIMUM_SIZE} and {@link #SAFETY_TTL}. */
  public StoredGroups(UserStore users) {
    this(users, DEFAULT_MAXIMUM_SIZE, SAFETY_TTL);
  }

  /** Drops a user's entry whenever their groups change; closing the result stops following. */
  public AutoCloseable follow(RevocationBus bus) {
    return bus.subscribe(r -> {
      if (r instanceof Revocation.GroupsChanged) forget(r.userId());
    });
  }

  /** Drops what is held of {@code userId}'s groups, also a read in flight. */
  void forget(String userId) {
    cache.synchronous().invalidate(userId);
  }

  @Override
  public CompletionStage<Set<String>> groupsOf(Session session) {
    return cache.get(session.userId());
  }

  @Override
  public Optional<Set<String>> groupsNow(Session session) {
    CompletableFuture<Set<String>> held = cache.getIfPresent(session.userId());
    if (held == null || !held.isDone() || held.isCompletedExceptionally()) return Optional.empty();
    return Optional.of(held.join());
  }

  /**
   * Starts reading {@code session}'s groups if they are not held, so the first request of a new
   * session is decided at once (a failure is not kept; that request then reads again).
   */
  @Override
  public void preload(Session session) {
    cache.get(session.userId());
  }

  /** Approximate number of users held. */
  long size() {
    return cache.synchronous().estimatedSize();
  }
}
