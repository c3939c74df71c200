package dev.stepgate.admission;

import dev.stepgate.policy.Decision;
import dev.stepgate.session.Session;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What the {@link AdmissionPipeline} decided about one request: a value, never a response. The
 * responder (proxy) turns it into bytes for the entry point it came through.
 */
public sealed interface Verdict {
  /** The policy decision behind it (a refusal made before the policy carries none). */
  Optional<Decision> decision();

  /**
   * Forward the request, with exactly these identity headers added.
   *
   * @param identity header name → value for the upstream (empty for an anonymous public request)
   * @param allow the decision that allowed it
   * @param session the caller's session (after any one-time step-up was spent), if signed in
   */
  record Forward(Map<String, String> identity, Decision.Allow allow, Optional<Session> session) implements Verdict {
    public Forward {
      identity = Map.copyOf(identity);
      Objects.requireNonNull(allow, "allow");
      session = session == null ? Optional.empty() : session;
    }

    @Override
    public Optional<Decision> decision() {
      return Optional.of(allow);
    }
  }

  /**
   * Ask the caller to sign in ({@link Decision.Login}) or to step up ({@link Decision.StepUp},
   * whose rule and {@code maxAge} the answer names). A held POST is kept by the responder, not
   * here: holding reads the body, which is the wire's business.
   *
   * @param session present for a step-up (whose held requests it will own)
   */
  record Challenge(Decision challenge, Optional<Session> session) implements Verdict {
    public Challenge {
      if (!(challenge instanceof Decision.Login) && !(challenge instanceof Decision.StepUp))
        throw new IllegalArgumentException("a challenge is a sign-in or a step-up");
      session = session == null ? Optional.empty() : session;
      if (challenge instanceof Decision.StepUp && session.isEmpty()) throw new IllegalArgumentException("a step-up needs a session");
    }

    @Override
    public Optional<Decision> decision() {
      return Optional.of(challenge);
    }

    /** The step-up, when this is one. */
    public Optional<Decision.StepUp> stepUp() {
      return challenge instanceof Decision.StepUp s ? Optional.of(s) : Optional.empty();
    }
  }

  /**
   * Refuse the request with a problem of the catalogue.
   *
   * @param decision the policy's deny, if the policy made it
   */
  record Refuse(Problem problem, Optional<Decision> decision) implements Verdict {
    public Refuse {
      Objects.requireNonNull(problem, "problem");
      decision = decision == null ? Optional.empty() : decision;
    }
  }
}
