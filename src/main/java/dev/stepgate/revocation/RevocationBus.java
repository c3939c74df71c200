package dev.stepgate.revocation;

import java.util.function.Consumer;

/**
 * Carries {@link Revocation}s to everything that holds session state. One implementation per
 * deployment shape: {@link LocalRevocationBus} inside one process; across nodes on Redis pub/sub
 * ({@code sessions.driver: redis}), which delivers here at once and to other nodes when they
 * hear it. Revocations made by other processes on the same store reach it through {@link
 * StoreRevocationFeed}.
 */
public interface RevocationBus {
  /**
   * Hands {@code revocation} to every subscriber before returning. Subscribers run on the
   * caller's thread, so never publish from an event loop if a subscriber may block.
   */
  void publish(Revocation revocation);

  /**
   * Registers {@code subscriber}; it must be thread-safe, quick and must not throw (a throw is
   * logged and the other subscribers still run).
   *
   * @return closing it unsubscribes
   */
  AutoCloseable subscribe(Consumer<Revocation> subscriber);
}
