package dev.stepgate.admission;

import dev.stepgate.policy.Decision;
import dev.stepgate.session.Session;
import dev.stepgate.session.SessionStore;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * Step 4: an allow that needs a one-time ({@code max_age: 0s}) step-up spends it, through the
 * store's compare-and-set ({@link SessionStore#consumeStepUp}) for the rule that allowed it and
 * the very step-up the policy saw. Exactly one of any number of concurrent requests wins; the
 * others get empty and are decided again without it.
 */
final class OneTimeConsumption {
  private final SessionStore sessions;

  OneTimeConsumption(SessionStore sessions) {
    this.sessions = sessions;
  }

  /** The session after spending; empty when another request spent it first. */
  CompletionStage<Optional<Session>> spend(Session session, Decision.Allow allow) {
    var seen = session.stepUp().orElseThrow(() -> new IllegalStateException("a one-time allow without a step-up"));
    return sessions.consumeStepUp(session.id(), allow.rule(), seen.at());
  }
}
