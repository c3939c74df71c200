package dev.stepgate.admission;

import dev.stepgate.policy.Decision;

/**
 * Told of every decision the pipeline makes, once per request, whatever the entry point (metrics,
 * and the audit trail later). Must be quick, thread-safe and must not throw: it runs on the
 * caller's thread, which may be an event loop.
 */
@FunctionalInterface
public interface DecisionListener {
  void decided(Decision decision, EntryPoint entry);
}
