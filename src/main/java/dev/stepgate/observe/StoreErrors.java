package dev.stepgate.observe;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Locale;

/**
 * {@code stepgate_store_errors_total{dependency}}: a dependency failed a call or a probe.
 * {@code storage} is the credential store (embedded or Postgres), {@code sessions} the session
 * store (memory or Redis), {@code verification} the WebAuthn verifier's bounded pool (full).
 */
public final class StoreErrors {
  /** What failed; a fixed set. */
  public enum Dependency {
    STORAGE, SESSIONS, VERIFICATION, OTHER;

    String label() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** The dependency a problem type of a 5xx answer names. */
    public static Dependency ofProblemType(String type) {
      return switch (type) {
        case "storage-unavailable" -> STORAGE;
        case "unavailable" -> SESSIONS; // the session store's (Redis) and admission's 503
        case "verification-busy" -> VERIFICATION;
        default -> OTHER;
      };
    }

    /** The dependency a {@link DependencyHealth} probes, by its name. */
    public static Dependency named(String name) {
      for (var d : values()) if (d.label().equals(name)) return d;
      return OTHER;
    }
  }

  private final Counter[] counters = new Counter[Dependency.values().length];

  public StoreErrors(MeterRegistry metrics) {
    for (var d : Dependency.values())
      counters[d.ordinal()] = Counter.builder("stepgate.store.errors")
          .description("Failed calls and probes of a dependency").tag("dependency", d.label()).register(metrics);
  }

  public void failed(Dependency dependency) {
    counters[dependency.ordinal()].increment();
  }
}
