package dev.stepgate.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.stepgate.observe.CeremonyMetrics;
import dev.stepgate.observe.CeremonyMetrics.Kind;
import dev.stepgate.observe.CeremonyMetrics.Outcome;
import dev.stepgate.observe.DecisionMetrics;
import dev.stepgate.observe.Funnel;
import dev.stepgate.observe.StoreErrors;
import dev.stepgate.policy.PolicyParser;
import dev.stepgate.policy.PolicySource;
import dev.stepgate.ratelimit.MemoryRateCounter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ClientEventsTest {
  private static ClientEvents events() {
    var registry = new SimpleMeterRegistry();
    var set = PolicyParser.parse(List.of(new PolicySource("p.yaml", "version: 1\ndefaults: { require: public }\nrules: []\n")), false);
    var funnel = new Funnel(new CeremonyMetrics(registry), new DecisionMetrics(registry, () -> set, List.of()),
        new StoreErrors(registry));
    return new ClientEvents(funnel, registry, Duration.ofMinutes(5), req -> "192.0.2.1",
        new MemoryRateCounter(java.time.Clock.systemUTC()));
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '|', value = {
      "{\"kind\":\"login\",\"error\":\"NotAllowedError\"}|CANCELLED",
      "{\"kind\":\"login\",\"error\":\"NotAllowedError\",\"elapsedMs\":4000}|CANCELLED",
      "{\"kind\":\"login\",\"error\":\"NotAllowedError\",\"elapsedMs\":299500}|TIMED_OUT",
      "{\"kind\":\"registration\",\"error\":\"InvalidStateError\"}|INVALID_STATE",
      "{\"kind\":\"registration\",\"error\":\"SecurityError\"}|SECURITY_ERROR",
      "{\"kind\":\"step_up\",\"error\":\"AbortError\",\"rule\":\"pay\"}|ABORTED",
      "{\"kind\":\"recovery\",\"error\":\"NotSupportedError\"}|NOT_SUPPORTED",
      "{\"kind\":\"login\",\"error\":\"UnknownError\"}|CLIENT_ERROR",
  })
  void parse_mapsBrowserErrorsToOutcomes(String body, Outcome expected) {
    assertEquals(expected, events().parse(body).outcome());
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "[]", "not json", "{}", "{\"kind\":\"login\"}",
      "{\"kind\":\"signup\",\"error\":\"NotAllowedError\"}",
      "{\"kind\":\"login\",\"error\":\"WeirdError\"}",
      "{\"kind\":\"login\",\"error\":\"NotAllowedError\",\"extra\":1}",
      "{\"kind\":\"login\",\"error\":\"NotAllowedError\",\"elapsedMs\":-1}",
      "{\"kind\":\"login\",\"error\":\"NotAllowedError\",\"elapsedMs\":1.5}",
      "{\"kind\":\"login\",\"error\":\"NotAllowedError\",\"elapsedMs\":\"10\"}",
      "{\"kind\":\"login\",\"error\":\"NotAllowedError\",\"rule\":\"pay\"}",
      "{\"kind\":\"step_up\",\"error\":\"NotAllowedError\",\"rule\":\"a b\"}",
      "{\"kind\":1,\"error\":\"NotAllowedError\"}",
  })
  void parse_refusesAnythingButTheSchema(String body) {
    assertThrows(IllegalArgumentException.class, () -> events().parse(body));
  }

  @org.junit.jupiter.api.Test
  void parse_keepsTheStepUpRule() {
    var e = events().parse("{\"kind\":\"step_up\",\"error\":\"NotAllowedError\",\"rule\":\"pay\"}");
    assertEquals(Kind.STEP_UP, e.kind());
    assertEquals(Optional.of("pay"), e.rule());
  }
}
