package dev.stepgate.admission;

import dev.stepgate.policy.AuthState;
import dev.stepgate.policy.Decision;
import dev.stepgate.policy.PolicyRequest;
import dev.stepgate.policy.PolicySet;
import dev.stepgate.session.Session;
import java.time.Clock;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Step 3: the policy's decision for the request and caller. The policy itself binds a one-time
 * step-up to the rule it was confirmed for ({@code forRule}), so {@code policy explain} and this
 * step read the same rule. Never throws (the policy fails closed).
 */
final class PolicyStep {
  private final Supplier<PolicySet> policies;
  private final Clock clock;

  PolicyStep(Supplier<PolicySet> policies, Clock clock) {
    this.policies = policies;
    this.clock = clock;
  }

  Decision decide(AdmissionRequest request, Optional<Session> session) {
    return decide(new PolicyRequest(request.method(), request.host(), request.policyPath()), session);
  }

  Decision decide(PolicyRequest request, Optional<Session> session) {
    return policies.get().decide(request, authState(session));
  }

  PolicySet policies() {
    return policies.get();
  }

  AuthState authState(Optional<Session> session) {
    var now = clock.instant();
    if (session.isEmpty()) return AuthState.anonymous(now);
    var s = session.get();
    var signedIn = AuthState.signedIn(s.userId(), s.authTime(), now);
    var state = s.username() == null ? signedIn : signedIn.withSubject(s.username(), s.groups());
    return s.stepUp().map(u -> state.withStepUp(
        new AuthState.StepUp(u.at(), true, u.backupEligible(), u.credentialCreatedAt(), u.consumed(), u.forRule())))
        .orElse(state);
  }
}
