package dev.stepgate;

import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.function.Supplier;

/**
 * Small helpers for the asynchronous ports ({@link CompletionStage}): the cause a caller should
 * see, a stage from code that may throw before it has one, and a blocking wait for the CLI, which
 * has no event loop to keep free.
 */
public final class Async {
  private Async() {}

  /** The failure a stage carries, without the {@link CompletionException} wrappers chaining adds. */
  public static Throwable cause(Throwable t) {
    while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null)
      t = t.getCause();
    return t;
  }

  /** {@code work.get()}, or a failed stage if it throws instead of returning one. */
  public static <T> CompletionStage<T> attempt(Supplier<? extends CompletionStage<T>> work) {
    try {
      return work.get();
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /**
   * Waits for {@code stage} and returns its value; its failure is rethrown as it was raised (a
   * {@link StepgateException} stays one). Blocks: for the CLI and start-up only, never on an
   * event loop.
   */
  public static <T> T join(CompletionStage<T> stage) {
    try {
      return stage.toCompletableFuture().join();
    } catch (CompletionException | CancellationException e) {
      var c = cause(e);
      if (c instanceof RuntimeException r) throw r;
      if (c instanceof Error err) throw err;
      throw new StepgateException("internal", 500, "An asynchronous operation failed.", c);
    }
  }
}
