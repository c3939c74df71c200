package dev.stepgate.proxy;

import dev.stepgate.admission.AdmissionPipeline;
import dev.stepgate.policy.Decision;
import dev.stepgate.policy.PolicyRequest;
import dev.stepgate.session.HeldRequest;
import dev.stepgate.session.HeldRequests;
import dev.stepgate.session.Session;
import java.util.Optional;

/**
 * Connects the step-up prompt to the request that caused it: which rule asks (its description,
 * and why the user's passkeys may not qualify) before the ceremony, and where to resume after it.
 * A held request is decided for the host it was held for ({@link HeldRequest#host()}), exactly as
 * {@link HeldReplay} decides it; a bare return target ({@code rd}) for {@code public_url}'s host.
 */
public final class StepUpResume {
  private final AdmissionPipeline admission;
  private final HeldRequests held;
  private final String publicHost;

  public StepUpResume(AdmissionPipeline admission, HeldRequests held, String publicHost) {
    this.admission = admission;
    this.held = held;
    this.publicHost = publicHost;
  }

  /** What the prompt shows for {@code rd} (or the held request), and whether it is needed at all. */
  public record Prompt(boolean needed, String rule, Optional<String> description, Optional<String> refusal, String rd) {}

  /** Where to go after the step-up; a refusal when the passkey used does not qualify. */
  public record Next(Optional<String> resume, Optional<String> refusal) {}

  public Prompt prompt(Session session, Optional<String> rd, Optional<String> heldId) {
    var heldRequest = heldId.flatMap(id -> held.peek(id, session.id()));
    var method = heldRequest.map(HeldRequest::method).orElse("GET");
    var host = heldRequest.map(HeldRequest::host).orElse(publicHost);
    var target = ReturnTarget.safe(heldRequest.map(HeldRequest::pathAndQuery).orElse(rd.orElse("/")));
    var decision = decide(method, host, target, session);
    if (decision instanceof Decision.StepUp s) return new Prompt(true, s.rule(), s.description(), s.refusal(), target);
    return new Prompt(heldRequest.isPresent(), decision.rule(), Optional.empty(), Optional.empty(), target);
  }

  public Optional<String> ruleFor(String sessionId, Optional<String> heldId, Optional<String> rule) {
    var heldRequest = heldId.flatMap(id -> held.peek(id, sessionId));
    if (heldRequest.isPresent()) {
      var pq = heldRequest.get().pathAndQuery();
      int q = pq.indexOf('?');
      return Optional.of(admission.ruleFor(heldRequest.get().method(), heldRequest.get().host(),
          CanonicalPath.of(q < 0 ? pq : pq.substring(0, q)).forPolicy()));
    }
    return rule.filter(admission::hasRule);
  }

  public Next after(String oldSessionId, Session session, Optional<String> heldId, Optional<String> rd) {
    held.rebind(oldSessionId, session.id()); // every form this session holds follows it to its new id
    if (heldId.isPresent()) {
      var h = held.peek(heldId.get(), session.id());
      if (h.isPresent()) {
        var decision = decide(h.get().method(), h.get().host(), h.get().pathAndQuery(), session);
        if (decision instanceof Decision.StepUp s && s.refusal().isPresent()) return new Next(Optional.empty(), s.refusal());
        return new Next(Optional.of("/.stepgate/resume/" + heldId.get()), Optional.empty());
      }
    }
    var target = ReturnTarget.safe(rd.orElse("/"));
    var decision = decide("GET", publicHost, target, session);
    if (decision instanceof Decision.StepUp s && s.refusal().isPresent()) return new Next(Optional.empty(), s.refusal());
    return new Next(Optional.of(target), Optional.empty());
  }

  private Decision decide(String method, String host, String pathAndQuery, Session session) {
    int q = pathAndQuery.indexOf('?');
    var path = CanonicalPath.of(q < 0 ? pathAndQuery : pathAndQuery.substring(0, q));
    return admission.decide(new PolicyRequest(method, host, path.forPolicy()), Optional.of(session));
  }
}
