package dev.stepgate.admission;

import dev.stepgate.session.Session;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Where the groups of a signed-in caller come from (SPEC section 3 {@code allow.groups}, section 6
 * {@code groups} claim). In gateway mode, the gateway's own store ({@link StoredGroups}); in
 * bolt-on mode, the app's answer about its own session.
 */
public interface GroupSource {
  /** No groups for anybody. */
  GroupSource NONE = new GroupSource() {
    private final CompletableFuture<Set<String>> none = CompletableFuture.completedFuture(Set.of());

    @Override
    public CompletionStage<Set<String>> groupsOf(Session session) {
      return none;
    }

    @Override
    public Optional<Set<String>> groupsNow(Session session) {
      return Optional.of(Set.of());
    }
  };

  /**
   * The groups of the signed-in {@code session}'s user. The stage fails when they cannot be read;
   * the caller then fails closed, as when the session itself cannot be read.
   */
  CompletionStage<Set<String>> groupsOf(Session session);

  /**
   * The groups from what this node knows now, without waiting; empty when they must be read
   * ({@link #groupsOf}).
   */
  Optional<Set<String>> groupsNow(Session session);

  /** A hint that {@code session} (new) will soon ask for its groups; nothing by default. */
  default void preload(Session session) {}
}
