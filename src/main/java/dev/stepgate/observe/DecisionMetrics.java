package dev.stepgate.observe;

import dev.stepgate.admission.DecisionListener;
import dev.stepgate.admission.EntryPoint;
import dev.stepgate.policy.Decision;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/** {@code stepgate_decisions_total{decision}}: every decision of the pipeline, on every entry point. */
public final class DecisionMetrics implements DecisionListener {
  // Registered once: looking a meter up by name and tags on every request costs a map probe
  // plus Tags allocation on the event loop.
  private final Counter allowed;
  private final Counter login;
  private final Counter stepUp;
  private final Counter denied;

  public DecisionMetrics(MeterRegistry metrics) {
    this.allowed = decisions(metrics, "allow");
    this.login = decisions(metrics, "login");
    this.stepUp = decisions(metrics, "step_up");
    this.denied = decisions(metrics, "deny");
  }

  @Override
  public void decided(Decision d, EntryPoint entry) {
    if (d instanceof Decision.Allow) allowed.increment();
    else if (d instanceof Decision.Login) login.increment();
    else if (d instanceof Decision.StepUp) stepUp.increment();
    else denied.increment();
  }

  private static Counter decisions(MeterRegistry metrics, String kind) {
    return metrics.counter("stepgate.decisions", "decision", kind);
  }
}
