package dev.stepgate.ui;

import dev.stepgate.admission.Problem;
import dev.stepgate.admission.Problems;
import dev.stepgate.observe.CeremonyMetrics.Kind;
import dev.stepgate.observe.CeremonyMetrics.Outcome;
import dev.stepgate.observe.Funnel;
import dev.stepgate.observe.Platform;
import dev.stepgate.proxy.Responder;
import dev.stepgate.ratelimit.Rate;
import dev.stepgate.ratelimit.RateCounter;
import io.vertx.core.http.HttpServerRequest;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * {@code POST /.stepgate/api/client-events}: the pages report a WebAuthn call that failed in the
 * browser, which otherwise never reaches the gateway, so cancelled and timed-out ceremonies show in
 * {@code stepgate_ceremonies_total} and abandoned step-ups in {@code stepgate_step_ups_total}.
 *
 * <p>The body is one small JSON object, exactly:
 * <pre>{"kind": "registration|login|step_up|recovery", "error": DOMException name,
 *  "elapsedMs"?: 0..86400000, "rule"?: the rule the step-up prompt named}</pre>
 * Any other key, type or value is refused (400 problem JSON), a body over {@value #MAX_BODY}
 * bytes too (413), and a client past {@value #PER_MINUTE} events a minute (429): the beacon takes
 * anyone's word, so it must not be a way to grow the metrics or to drown the real funnel. Counts
 * only; nothing of the event is logged or stored.
 */
public final class ClientEvents {
  static final int MAX_BODY = 512;
  static final int PER_MINUTE = 30;
  private static final Set<String> KEYS = Set.of("kind", "error", "elapsedMs", "rule");
  private static final Pattern RULE = Pattern.compile("[A-Za-z0-9_.:-]{1,128}");
  /** DOMException names WebAuthn's create() and get() reject with (WebAuthn L3 §5.1.3, §5.1.4). */
  private static final Map<String, Outcome> ERRORS = Map.of(
      "NotAllowedError", Outcome.CANCELLED, // or TIMED_OUT, by elapsedMs
      "InvalidStateError", Outcome.INVALID_STATE,
      "SecurityError", Outcome.SECURITY_ERROR,
      "AbortError", Outcome.ABORTED,
      "NotSupportedError", Outcome.NOT_SUPPORTED,
      "ConstraintError", Outcome.CLIENT_ERROR,
      "UnknownError", Outcome.CLIENT_ERROR,
      "TypeError", Outcome.CLIENT_ERROR);
  private static final Map<String, Kind> KINDS = Map.of("registration", Kind.REGISTRATION, "login", Kind.LOGIN,
      "step_up", Kind.STEP_UP, "recovery", Kind.RECOVERY);

  private final Funnel funnel;
  private final long timeoutMs;
  private final Function<HttpServerRequest, String> clientAddress;
  private static final Rate BOUND = new Rate(PER_MINUTE, Duration.ofMinutes(1), PER_MINUTE);
  private final RateCounter perClient;
  private final Counter counted;
  private final Counter invalid;
  private final Counter limited;

  /**
   * @param ceremonyTimeout the {@code timeout} the gateway gives the browser: a {@code
   *     NotAllowedError} that late is a time-out, earlier a cancellation
   * @param clientAddress the client a request is from (its peer, or who a trusted proxy names)
   * @param perClient where the per-client bound is counted (this node's memory is enough: a crude
   *     bound on a count-only endpoint; the general limits are admission's)
   */
  public ClientEvents(Funnel funnel, MeterRegistry metrics, Duration ceremonyTimeout,
      Function<HttpServerRequest, String> clientAddress, RateCounter perClient) {
    this.funnel = funnel;
    this.timeoutMs = ceremonyTimeout.toMillis();
    this.clientAddress = clientAddress;
    this.perClient = perClient;
    this.counted = result(metrics, "counted");
    this.invalid = result(metrics, "invalid");
    this.limited = result(metrics, "limited");
  }

  /** Mounts the beacon; after {@link PasskeyApi#mount}, whose body limit and same-origin JSON check it relies on. */
  public void mount(Router router) {
    router.post("/.stepgate/api/client-events").handler(this::handle);
  }

  private void handle(RoutingContext ctx) {
    var raw = ctx.body().buffer();
    if (raw != null && raw.length() > MAX_BODY) {
      refuse(ctx, invalid, Problems.BODY_TOO_LARGE);
      return;
    }
    final Event event;
    try {
      event = parse(raw == null ? "" : raw.toString());
    } catch (IllegalArgumentException e) {
      refuse(ctx, invalid, Problems.CLIENT_EVENT_INVALID.with("reason", e.getMessage()));
      return;
    }
    var client = clientAddress.apply(ctx.request());
    var hits = perClient.hit("client-events|" + (client == null ? "unknown" : client), BOUND);
    Future.fromCompletionStage(hits, ctx.vertx().getOrCreateContext()).onComplete(ar -> {
          if (ar.failed()) { // a local counter does not fail; if it ever did, count nothing
            refuse(ctx, limited, Problems.UNAVAILABLE);
            return;
          }
          var hit = ar.result();
          if (!hit.allowed()) {
            ctx.response().putHeader("Retry-After", Long.toString(Math.max(1, (hit.retryAfter().toMillis() + 999) / 1000)));
            refuse(ctx, limited, Problems.CLIENT_EVENTS_LIMITED);
            return;
          }
          record(event, Platform.fromUserAgent(ctx.request().getHeader("User-Agent")));
          counted.increment();
          ctx.response().setStatusCode(204).putHeader("Cache-Control", "no-store").end();
        });
  }

  private void record(Event event, Platform platform) {
    var outcome = event.outcome();
    funnel.ceremonies().count(event.kind(), outcome, platform);
    if (event.kind() != Kind.STEP_UP) return;
    var rule = event.rule().orElse("");
    if (outcome == Outcome.CANCELLED || outcome == Outcome.TIMED_OUT || outcome == Outcome.ABORTED)
      funnel.rules().stepUpAbandoned(rule);
    else funnel.rules().stepUpFailed(rule);
  }

  /** One reported failure, validated. */
  record Event(Kind kind, Outcome outcome, Optional<String> rule) {}

  /** Parses and validates a beacon body; the exception's message says what is wrong (never echoing a value). */
  Event parse(String body) {
    final JsonObject json;
    try {
      json = new JsonObject(body);
    } catch (DecodeException | ClassCastException e) {
      throw new IllegalArgumentException("the body is not a JSON object");
    }
    for (var key : json.fieldNames())
      if (!KEYS.contains(key)) throw new IllegalArgumentException("unknown field \"" + (key.length() <= 32 ? key : "…") + "\"");
    var kind = KINDS.get(string(json, "kind").orElseThrow(() -> new IllegalArgumentException("\"kind\" is required")));
    if (kind == null) throw new IllegalArgumentException("\"kind\" must be registration, login, step_up or recovery");
    var outcome = ERRORS.get(string(json, "error").orElseThrow(() -> new IllegalArgumentException("\"error\" is required")));
    if (outcome == null) throw new IllegalArgumentException("\"error\" is not a WebAuthn error name");
    var elapsed = json.getValue("elapsedMs");
    if (elapsed != null) {
      if (!(elapsed instanceof Integer || elapsed instanceof Long) || ((Number) elapsed).longValue() < 0
          || ((Number) elapsed).longValue() > 86_400_000L)
        throw new IllegalArgumentException("\"elapsedMs\" must be a whole number of milliseconds up to a day");
      // Browsers give NotAllowedError for both; the ceremony's own timeout tells them apart (a second's slack).
      if (outcome == Outcome.CANCELLED && ((Number) elapsed).longValue() >= timeoutMs - 1_000) outcome = Outcome.TIMED_OUT;
    }
    var rule = string(json, "rule");
    if (rule.isPresent() && (kind != Kind.STEP_UP || !RULE.matcher(rule.get()).matches()))
      throw new IllegalArgumentException("\"rule\" must be a rule name, on step_up events only");
    return new Event(kind, outcome, rule);
  }

  private static Optional<String> string(JsonObject json, String key) {
    var v = json.getValue(key);
    if (v == null) return Optional.empty();
    if (!(v instanceof String s)) throw new IllegalArgumentException("\"" + key + "\" must be a string");
    return Optional.of(s);
  }

  private static void refuse(RoutingContext ctx, Counter counter, Problem problem) {
    counter.increment();
    Responder.sendJson(ctx.request(), problem);
  }

  private static Counter result(MeterRegistry metrics, String result) {
    return Counter.builder("stepgate.client_events").description("Client-event beacon posts: counted, invalid, limited")
        .tag("result", result).register(metrics);
  }
}
