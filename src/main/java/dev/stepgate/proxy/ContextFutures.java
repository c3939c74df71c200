package dev.stepgate.proxy;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.concurrent.CompletionStage;

/**
 * Brings a port's stage back onto the calling Vert.x context: a store may complete it on its own
 * thread, and a response must be written from the request's event loop.
 */
final class ContextFutures {
  private ContextFutures() {}

  /** {@code stage} as a future whose handlers run on the current context (if there is one). */
  static <T> Future<T> here(CompletionStage<T> stage) {
    var context = Vertx.currentContext();
    return context == null ? Future.fromCompletionStage(stage) : Future.fromCompletionStage(stage, context);
  }
}
