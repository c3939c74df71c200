package dev.stepgate.admission;

import dev.stepgate.ratelimit.Limiter;
import dev.stepgate.session.Session;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Step 3: forward-auth decisions are rate limited per client address (the operator's proxy's
 * {@code X-Forwarded-For}, see {@link AdmissionRequest#client()}) and per signed-in account (SPEC
 * section 9), so a client cannot use the operator's proxy to make the gateway sign assertions or
 * look sessions up without bound. The other entry points are not limited here: the proxy path's
 * cost is the upstream's, and the passkey API limits its own ceremonies.
 */
final class RateLimitStep {
  private static final CompletionStage<Optional<Verdict>> GO_ON = CompletableFuture.completedFuture(Optional.empty());

  private final Limiter limiter;

  RateLimitStep(Limiter limiter) {
    this.limiter = limiter;
  }

  /** The refusal, or empty to go on; fails when the counter cannot answer (then 503, never a pass). */
  CompletionStage<Optional<Verdict>> check(AdmissionRequest request, Optional<Session> session) {
    if (request.entry() != EntryPoint.FORWARD_AUTH) return GO_ON;
    return limiter.admit(Limiter.Endpoint.FORWARD_AUTH, request.client(), session.map(Session::userId))
        .thenApply(refused -> refused.map(wait -> new Verdict.Refuse(Problems.rateLimited(wait), Optional.empty())));
  }
}
