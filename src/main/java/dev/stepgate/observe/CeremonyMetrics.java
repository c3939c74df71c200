package dev.stepgate.observe;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * {@code stepgate_ceremonies_total{kind,outcome,platform}}: the rollout funnel (SPEC section 9).
 * Every label comes from a fixed enum, so the series are bounded (4 × 14 × 7); each is registered
 * the first time it is counted, then found by index.
 */
public final class CeremonyMetrics {
  /** Which ceremony. */
  public enum Kind {
    REGISTRATION, LOGIN, STEP_UP, RECOVERY;

    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * How a ceremony ended. Reported by the gateway when it answers a {@code verify} call, or by the
   * page (the client-event beacon) when the browser's WebAuthn call failed and nothing reached
   * the gateway.
   */
  public enum Outcome {
    /** Verified; the session exists. */
    OK,
    // -- reported by the page (the browser's DOMException) --
    /** {@code NotAllowedError} before the ceremony's timeout: the user dismissed the prompt (or had no passkey). */
    CANCELLED,
    /** {@code NotAllowedError} at or after the ceremony's timeout. */
    TIMED_OUT,
    /** {@code InvalidStateError}: the authenticator already holds a passkey for this account. */
    INVALID_STATE,
    /** {@code SecurityError}: the page's origin does not fit the relying party id. */
    SECURITY_ERROR,
    /** {@code AbortError}: the page aborted the call (navigated, or started another). */
    ABORTED,
    /** {@code NotSupportedError}, or a browser without WebAuthn. */
    NOT_SUPPORTED,
    /** Any other browser error ({@code ConstraintError}, {@code UnknownError}, {@code TypeError}). */
    CLIENT_ERROR,
    // -- decided by the gateway --
    /** The ceremony id was unknown, expired or already used. */
    EXPIRED,
    /** The attestation or assertion did not verify (401). */
    VERIFICATION_FAILED,
    /** The gateway refused the account or passkey (403: registration closed, disabled user, passkey not qualified). */
    NOT_ALLOWED,
    /** The request was malformed (400) or conflicted with the account's state (409). */
    BAD_REQUEST,
    /** Refused by a rate limit (429). */
    RATE_LIMITED,
    /** The gateway could not finish it (5xx: a store or the verifier pool down or full). */
    UNAVAILABLE;

    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** The outcome of a {@code verify} call the gateway answered with {@code status} and problem {@code type}. */
    public static Outcome ofAnswer(int status, String type) {
      if (status < 300) return OK;
      if ("ceremony-invalid".equals(type)) return EXPIRED;
      if (status == 401) return VERIFICATION_FAILED;
      if (status == 403) return NOT_ALLOWED;
      if (status == 429) return RATE_LIMITED;
      if (status >= 500) return UNAVAILABLE;
      return BAD_REQUEST;
    }
  }

  private static final int KINDS = Kind.values().length;
  private static final int OUTCOMES = Outcome.values().length;
  private static final int PLATFORMS = Platform.values().length;

  private final MeterRegistry metrics;
  private final AtomicReferenceArray<Counter> counters = new AtomicReferenceArray<>(KINDS * OUTCOMES * PLATFORMS);

  public CeremonyMetrics(MeterRegistry metrics) {
    this.metrics = metrics;
    // The funnel's first step is always on the page: an empty dashboard until the first sign-in
    // would hide a broken scrape, so the OK series exist from the start.
    for (var k : Kind.values()) for (var p : Platform.values()) counter(k, Outcome.OK, p);
  }

  public void count(Kind kind, Outcome outcome, Platform platform) {
    counter(kind, outcome, platform).increment();
  }

  private Counter counter(Kind kind, Outcome outcome, Platform platform) {
    int i = (kind.ordinal() * OUTCOMES + outcome.ordinal()) * PLATFORMS + platform.ordinal();
    var c = counters.get(i);
    if (c != null) return c;
    c = Counter.builder("stepgate.ceremonies").description("Passkey ceremonies by kind, outcome and platform")
        .tag("kind", kind.label()).tag("outcome", outcome.label()).tag("platform", platform.label()).register(metrics);
    counters.set(i, c);
    return c;
  }

  /**
   * Counts one recovery attempt ({@code stepgate_recovery_total{method,outcome}}, SPEC section 9):
   * {@code method} {@code code} or {@code link}, {@code outcome} {@code ok}, {@code failed},
   * {@code rate_limited} or {@code unavailable}.
   */
  public void recovery(String method, String outcome) {
    Counter.builder("stepgate.recovery").description("Account recovery attempts by method and outcome")
        .tag("method", method).tag("outcome", outcome).register(metrics).increment();
  }
}
