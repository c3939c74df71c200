package dev.stepgate.revocation;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.logging.Logger;

/** A {@link RevocationBus} within one process: publish calls every subscriber synchronously. */
public final class LocalRevocationBus implements RevocationBus {
  private static final Logger LOG = Logger.getLogger(LocalRevocationBus.class.getName());
  private final List<Consumer<Revocation>> subscribers = new CopyOnWriteArrayList<>();

  @Override
  public void publish(Revocation revocation) {
    if (revocation == null) throw new IllegalArgumentException("revocation must not be null");
    for (var s : subscribers) {
      try {
        s.accept(revocation);
      } catch (RuntimeException e) {
        // One broken subscriber must not keep the others from ending sessions.
        LOG.warning("revocation subscriber failed: " + e.getClass().getSimpleName());
      }
    }
  }

  @Override
  public AutoCloseable subscribe(Consumer<Revocation> subscriber) {
    if (subscriber == null) throw new IllegalArgumentException("subscriber must not be null");
    subscribers.add(subscriber);
    return () -> subscribers.remove(subscriber);
  }
}
