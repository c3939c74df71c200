package dev.stepgate.server;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads that parse and verify WebAuthn responses (CBOR, attestation chains, signatures):
 * CPU work that must not run on an event loop. One per core, at most {@link #QUEUE_CAPACITY}
 * waiting; beyond that a ceremony fails closed with 503 instead of queueing without end.
 */
final class VerificationPool implements Executor, AutoCloseable {
  static final int QUEUE_CAPACITY = 256;

  private final ThreadPoolExecutor pool;

  private VerificationPool(ThreadPoolExecutor pool) {
    this.pool = pool;
  }

  static VerificationPool create() {
    int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
    var count = new AtomicInteger();
    return new VerificationPool(new ThreadPoolExecutor(threads, threads, 0, TimeUnit.MILLISECONDS,
        new ArrayBlockingQueue<>(QUEUE_CAPACITY), r -> {
          var t = new Thread(r, "stepgate-webauthn-" + count.incrementAndGet());
          t.setDaemon(true);
          return t;
        }, new ThreadPoolExecutor.AbortPolicy()));
  }

  /** @throws java.util.concurrent.RejectedExecutionException when full or closed */
  @Override
  public void execute(Runnable command) {
    pool.execute(command);
  }

  @Override
  public void close() {
    pool.shutdownNow();
  }
}
