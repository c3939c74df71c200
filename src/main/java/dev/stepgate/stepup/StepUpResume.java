package dev.stepgate.stepup;

import dev.stepgate.admission.AdmissionPipeline;
import dev.stepgate.admission.CanonicalPath;
import dev.stepgate.admission.ReturnTarget;
import dev.stepgate.policy.Decision;
import dev.stepgate.policy.PolicyRequest;
import dev.stepgate.session.Session;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Connects the step-up prompt to the request that caused it: which rule asks (its description,
 * and why the user's passkeys may not qualify) before the ceremony, and where to resume after it.
 * A held request is decided for the host it was held for ({@link HeldRequest#host()}), exactly as
 * {@link HeldResume} decides it; a bare return target ({@code rd}) for {@code public_url}'s host.
 */
public final class StepUpResume {
  private final AdmissionPipeline admission;
  private final HeldRequestStore held;
  private final String publicHost;

  public StepUpResume(AdmissionPipeline admission, HeldRequestStore held, String publicHost) {
    this.admission = admission;
    this.held = held;
    this.publicHost = publicHost;
  }

  /** What the prompt shows for {@code rd} (or the held request), and whether it is needed at all. */
  public record Prompt(boolean needed, String rule, Optional<String> description, Optional<String> refusal, String rd) {}

  /** Where to go after the step-up; a refusal when the passkey used does not qualify. */
  public record Next(Optional<String> resume, Optional<String> refusal) {}

  /** The prompt for {@code rd}, or for the held request {@code heldId} of this session when it is still held. */
  public CompletionStage<Prompt> prompt(Session session, Optional<String> rd, Optional<String> heldId) {
    return peek(heldId, session.id()).thenApply(heldRequest -> {
      var method = heldRequest.map(HeldRequest::method).orElse("GET");
      var host = heldRequest.map(HeldRequest::host).orElse(publicHost);
      var target = ReturnTarget.safe(heldRequest.map(HeldRequest::pathAndQuery).orElse(rd.orElse("/")));
      var decision = decide(method, host, target, session);
      if (decision instanceof Decision.StepUp s) return new Prompt(true, s.rule(), s.description(), s.refusal(), target);
      return new Prompt(heldRequest.isPresent(), decision.rule(), Optional.empty(), Optional.empty(), target);
    });
  }

  /** The rule a step-up confirms: the held request's (decided here), else {@code rule} if the policy has it. */
  public CompletionStage<Optional<String>> ruleFor(String sessionId, Optional<String> heldId, Optional<String> rule) {
    return peek(heldId, sessionId).thenApply(heldRequest -> {
      if (heldRequest.isEmpty()) return rule.filter(admission::hasRule);
      var h = heldRequest.get();
      var pq = h.pathAndQuery();
      int q = pq.indexOf('?');
      return Optional.of(admission.ruleFor(h.method(), h.host(), CanonicalPath.of(q < 0 ? pq : pq.substring(0, q)).forPolicy()));
    });
  }

  /** Where to go after the step-up of {@code oldSessionId}, now {@code session}; every held form follows it. */
  public CompletionStage<Next> after(String oldSessionId, Session session, Optional<String> heldId, Optional<String> rd) {
    return held.rebindAll(oldSessionId, session.id()).thenCompose(v -> peek(heldId, session.id())).thenApply(h -> {
      if (h.isPresent()) {
        var decision = decide(h.get().method(), h.get().host(), h.get().pathAndQuery(), session);
        if (decision instanceof Decision.StepUp s && s.refusal().isPresent()) return new Next(Optional.empty(), s.refusal());
        return new Next(Optional.of("/.stepgate/resume/" + heldId.get()), Optional.empty());
      }
      var target = ReturnTarget.safe(rd.orElse("/"));
      var decision = decide("GET", publicHost, target, session);
      if (decision instanceof Decision.StepUp s && s.refusal().isPresent()) return new Next(Optional.empty(), s.refusal());
      return new Next(Optional.of(target), Optional.empty());
    });
  }

  private CompletionStage<Optional<HeldRequest>> peek(Optional<String> heldId, String sessionId) {
    return heldId.isEmpty() ? CompletableFuture.completedFuture(Optional.empty()) : held.peek(heldId.get(), sessionId);
  }

  private Decision decide(String method, String host, String pathAndQuery, Session session) {
    int q = pathAndQuery.indexOf('?');
    var path = CanonicalPath.of(q < 0 ? pathAndQuery : pathAndQuery.substring(0, q));
    return admission.decide(new PolicyRequest(method, host, path.forPolicy()), Optional.of(session));
  }
}
