package dev.stepgate.revocation;

import dev.stepgate.Async;
import dev.stepgate.credential.CredentialException;
import dev.stepgate.credential.LoggedRevocation;
import dev.stepgate.credential.RevocationLog;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Logger;

/**
 * Follows the store's change record of revocations ({@link RevocationLog}) and publishes each new
 * entry on the {@link RevocationBus}, so a passkey revoked by another process (the admin CLI, on
 * the same store) ends its sessions here within one {@link #DEFAULT_INTERVAL} plus a read.
 *
 * <p>Reads are waited for on this feed's own thread (at most {@link #READ_TIMEOUT} each), never on
 * an event loop. It starts after the newest
 * entry present at {@link #start}: sessions live in this process's memory, so nothing older can
 * name one of them. A failed read is logged once (until a read succeeds again) and retried at
 * the next tick from the same position, so nothing is skipped.
 */
public final class StoreRevocationFeed implements AutoCloseable {
  /** How often the record is read: well inside the one-second promise of SPEC section 1. */
  public static final Duration DEFAULT_INTERVAL = Duration.ofMillis(250);

  /** How long one read of the record may take before it counts as failed (and is retried). */
  static final Duration READ_TIMEOUT = Duration.ofSeconds(5);

  private static final Logger LOG = Logger.getLogger(StoreRevocationFeed.class.getName());

  private final RevocationLog log;
  private final RevocationBus bus;
  private final ScheduledExecutorService thread;
  private long lastSeen;
  private boolean failing;

  private StoreRevocationFeed(RevocationLog log, RevocationBus bus, long lastSeen) {
    this.log = log;
    this.bus = bus;
    this.lastSeen = lastSeen;
    this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
      var t = new Thread(r, "stepgate-revocation-feed");
      t.setDaemon(true);
      return t;
    });
  }

  /**
   * Reads the newest sequence number now (waiting for it: call at start-up, not on an event
   * loop), then follows the record every {@code interval}.
   */
  public static StoreRevocationFeed start(RevocationLog log, RevocationBus bus, Duration interval) {
    if (interval.isNegative() || interval.isZero()) throw new IllegalArgumentException("interval must be positive");
    var feed = new StoreRevocationFeed(log, bus, await(log.lastSeq()));
    long ms = interval.toMillis();
    feed.thread.scheduleWithFixedDelay(feed::pollQuietly, ms, ms, TimeUnit.MILLISECONDS);
    return feed;
  }

  /** Reads and publishes every entry after the last one seen; returns how many. */
  synchronized int poll() {
    int published = 0;
    while (true) {
      var batch = await(log.after(lastSeen, RevocationLog.MAX_BATCH));
      for (var entry : batch) {
        bus.publish(event(entry));
        lastSeen = entry.seq();
        published++;
      }
      if (batch.size() < RevocationLog.MAX_BATCH) return published;
    }
  }

  private void pollQuietly() {
    try {
      poll();
      if (failing) LOG.info("revocation feed: reading the store again");
      failing = false;
    } catch (RuntimeException e) {
      // Never let the scheduled task die (an uncaught throw would cancel it for good).
      if (!failing) LOG.warning("revocation feed: cannot read the store (" + e.getClass().getSimpleName() + "); retrying");
      failing = true;
    }
  }

  /** The stage's value, waited for on this thread; a failure or a timeout is thrown as it is. */
  private static <T> T await(CompletionStage<T> stage) {
    try {
      return stage.toCompletableFuture().get(READ_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CredentialException("storage-unavailable", 503, "Interrupted while reading the revocation record.", e);
    } catch (TimeoutException e) {
      throw new CredentialException("storage-unavailable", 503, "The revocation record did not answer in time.", e);
    } catch (ExecutionException e) {
      return Async.join(stage);
    }
  }

  static Revocation event(LoggedRevocation entry) {
    return switch (entry.kind()) {
      case CREDENTIAL -> new Revocation.CredentialRevoked(entry.userId(), entry.credentialId().orElseThrow());
      case USER -> new Revocation.UserSessionsEnded(entry.userId());
      case GROUPS -> new Revocation.GroupsChanged(entry.userId());
    };
  }

  @Override
  public void close() {
    thread.shutdownNow();
    try {
      thread.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
