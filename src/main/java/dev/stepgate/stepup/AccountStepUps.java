package dev.stepgate.stepup;

import dev.stepgate.session.Session;
import dev.stepgate.session.SessionStore;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * The step-ups that authorize account actions ({@link AccountAction}). One counts only when it
 * was made for that action, is user-verified with a passkey of the account (the step-up ceremony
 * admits only those), is no older than {@code maxAge} ({@code account.step_up_max_age}), and is
 * not spent yet; {@link #spend} uses it up atomically, so one step-up authorizes one action.
 */
public final class AccountStepUps {
  private final SessionStore sessions;
  private final Duration maxAge;
  private final Clock clock;

  public AccountStepUps(SessionStore sessions, Duration maxAge, Clock clock) {
    if (maxAge.isNegative() || maxAge.isZero()) throw new IllegalArgumentException("maxAge must be positive");
    this.sessions = sessions;
    this.maxAge = maxAge;
    this.clock = clock;
  }

  /** How old an account action's step-up may be. */
  public Duration maxAge() {
    return maxAge;
  }

  /** True when {@code session} holds an unspent step-up for {@code action} within the max age. */
  public boolean fresh(Session session, AccountAction action) {
    return session.stepUp().filter(u -> counts(u, action)).isPresent();
  }

  /**
   * Spends the session's step-up for {@code action} ({@link SessionStore#consumeStepUp}: made
   * for the action, within the max age, not spent yet). Of concurrent calls for one step-up, one
   * wins.
   *
   * @return the session after spending; empty if there was nothing fresh to spend (or no session)
   */
  public CompletionStage<Optional<Session>> spend(String sessionId, AccountAction action) {
    return sessions.consumeStepUp(sessionId, action.ruleName(), clock.instant().minus(maxAge));
  }

  private boolean counts(Session.StepUpRecord u, AccountAction action) {
    if (u.consumed() || !u.forRule().equals(Optional.of(action.ruleName()))) return false;
    var now = clock.instant();
    return !u.at().isAfter(now) && !now.isAfter(u.at().plus(maxAge));
  }
}
