package dev.stepgate.credential;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A store's own threads: a small fixed pool with a bounded queue, so blocking I/O (JDBC) never
 * runs on a caller's thread (an event loop) and a flood of calls cannot queue without end. Work
 * that finds the queue full, or the store closed, fails at once with {@code
 * storage-unavailable} (503): the caller fails closed instead of waiting.
 */
final class StoreExecutor implements AutoCloseable {
  private final ThreadPoolExecutor pool;

  /**
   * @param name thread name prefix, e.g. {@code stepgate-store}
   * @param threads how many threads; at least 1
   * @param queueCapacity how many calls may wait; at least 1
   */
  StoreExecutor(String name, int threads, int queueCapacity) {
    if (threads < 1) throw new IllegalArgumentException("threads must be positive");
    if (queueCapacity < 1) throw new IllegalArgumentException("queue capacity must be positive");
    var count = new AtomicInteger();
    this.pool = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.MILLISECONDS,
        new ArrayBlockingQueue<>(queueCapacity), r -> {
          var t = new Thread(r, name + "-" + count.incrementAndGet());
          t.setDaemon(true);
          return t;
        }, new ThreadPoolExecutor.AbortPolicy());
  }

  /** Runs {@code work} on the store's threads; the stage carries its value or its exception. */
  <T> CompletionStage<T> submit(Callable<T> work) {
    var result = new CompletableFuture<T>();
    try {
      pool.execute(() -> {
        try {
          result.complete(work.call());
        } catch (Throwable t) {
          result.completeExceptionally(t);
        }
      });
    } catch (RejectedExecutionException e) {
      result.completeExceptionally(CredentialException.unavailable(e));
    }
    return result;
  }

  /** Refuses new work, lets queued work finish (up to 5 s), then returns. */
  @Override
  public void close() {
    pool.shutdown();
    try {
      if (!pool.awaitTermination(5, TimeUnit.SECONDS)) pool.shutdownNow();
    } catch (InterruptedException e) {
      pool.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }
}
