package dev.stepgate.admission;

import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * What the entry points call: {@link AdmissionPipeline} is the one implementation (tests stand
 * in failing ones). A failed stage, or a throw, means the request could not be decided: the entry
 * point answers 503 and logs it once, never forwards.
 */
public interface Admission {
  /** Decides {@code request}. */
  CompletionStage<Verdict> admit(AdmissionRequest request);

  /** Decides at once from what this node knows now; empty: take {@link #admit}. */
  Optional<Verdict.Forward> admitAtOnce(AdmissionRequest request);
}
