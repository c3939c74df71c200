package dev.stepgate.admission;

import dev.stepgate.policy.Requirement;
import java.util.Optional;

/**
 * Step 1: a WebSocket upgrade whose {@code Origin} is not served here, to a route that is not
 * {@code public}, is refused before anything else. The handshake carries the browser's cookies
 * but the same-origin policy does not apply to it (RFC 6455 §10.2: the server must check Origin),
 * so without this any site the user visits could open the user's authenticated socket. A browser
 * always sends Origin on the handshake; an upgrade without one comes from a non-browser client,
 * which holds its cookie itself and cannot be lured into this, so it passes on to the policy.
 */
final class OriginCheck {
  private final ServedOrigins origins;
  private final PolicyStep policy;

  OriginCheck(ServedOrigins origins, PolicyStep policy) {
    this.origins = origins;
    this.policy = policy;
  }

  /** The refusal, or empty to go on. */
  Optional<Verdict> check(AdmissionRequest request) {
    if (!request.upgrade() || request.origins().isEmpty() || origins.includes(request.origins())) return Optional.empty();
    // The rule's requirement, whoever asks (a failure to decide is a deny: refused too).
    if (policy.decide(request, Optional.empty()).requirement() == Requirement.PUBLIC) return Optional.empty();
    return Optional.of(new Verdict.Refuse(Problems.CROSS_ORIGIN_WEBSOCKET, Optional.empty()));
  }
}
