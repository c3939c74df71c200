package dev.stepgate.redis;

import dev.stepgate.StepgateException;

/**
 * Redis could not answer in time (down, unreachable, too slow, pool exhausted, or it refused the
 * command): the stage fails with this, which every caller answers with 503 ({@code unavailable}).
 * The message never carries a key, a value or the server's reply.
 */
final class StoreUnavailable extends StepgateException {
  private static final long serialVersionUID = 1L;

  StoreUnavailable(Throwable cause) {
    super("unavailable", 503, "The session store is unavailable.", cause);
  }
}
