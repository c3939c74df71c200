package dev.stepgate.proxy;

import dev.stepgate.GroupNames;
import dev.stepgate.StepgateException;
import dev.stepgate.admission.AppSessionCaller;
import dev.stepgate.config.GatewayConfig;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.json.pointer.JsonPointer;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.CompletionStage;
import java.util.logging.Logger;

/**
 * Asks the app's {@code whoami} endpoint who a caller is (SPEC section 8), sending the caller's
 * app session cookies and nothing else of theirs.
 *
 * <ul>
 *   <li>{@code 200} with JSON whose {@code username} pointer names a string: that user, with the
 *       valid group names the {@code groups} pointer's array holds (others are left out: no rule
 *       can name them). A missing or non-string username: nobody.
 *   <li>{@code 401} or {@code 403}: nobody (the app's login then handles the caller).
 *   <li>Anything else (another status, a body that is not JSON, a username that is not a sane
 *       name, more than {@link #MAX_BODY} bytes, no answer within {@link #TIMEOUT}, no connection):
 *       the stage fails, so it is not cached and whatever needs a caller fails closed.
 * </ul>
 */
public final class WhoamiClient implements AppSessionCaller.Whoami {
  /** The longest whoami answer read. */
  static final int MAX_BODY = 64 * 1024;

  /** How long the app may take to answer, connection included. */
  static final Duration TIMEOUT = Duration.ofSeconds(3);

  /** The longest username accepted from the app. */
  static final int MAX_USERNAME = 256;

  private static final Logger LOG = Logger.getLogger(WhoamiClient.class.getName());
  private final dev.stepgate.observe.LogThrottle failures =
      new dev.stepgate.observe.LogThrottle(LOG, dev.stepgate.observe.LogThrottle.FAILURE_WINDOW);

  private final HttpClient client;
  private final dev.stepgate.observe.WhoamiMetrics metrics;
  private final URI upstream;
  private final String path;
  private final JsonPointer username;
  private final Optional<JsonPointer> groups;

  public WhoamiClient(Vertx vertx, URI upstream, GatewayConfig.Whoami whoami) {
    this(vertx, upstream, whoami, null);
  }

  /** @param metrics where each question's outcome and time go; null: nowhere */
  public WhoamiClient(Vertx vertx, URI upstream, GatewayConfig.Whoami whoami, dev.stepgate.observe.WhoamiMetrics metrics) {
    this.metrics = metrics;
    this.upstream = upstream;
    this.path = joinPath(upstream, whoami.path());
    this.username = JsonPointer.from(whoami.username());
    this.groups = whoami.groups().map(JsonPointer::from);
    var tls = "https".equalsIgnoreCase(upstream.getScheme());
    this.client = vertx.createHttpClient(new HttpClientOptions().setSsl(tls).setConnectTimeout((int) TIMEOUT.toMillis())
        .setKeepAlive(true).setMaxInitialLineLength(4096), new PoolOptions().setHttp1MaxSize(16));
  }

  @Override
  public CompletionStage<Optional<AppSessionCaller.AppUser>> ask(String appCookieHeader) {
    var options = new RequestOptions().setMethod(HttpMethod.GET).setHost(upstream.getHost()).setPort(port(upstream))
        .setURI(path).setTimeout(TIMEOUT.toMillis()).setFollowRedirects(false)
        .putHeader("Cookie", appCookieHeader).putHeader("Accept", "application/json")
        .putHeader("User-Agent", "stepgate-whoami");
    long started = System.nanoTime();
    return client.request(options)
        .compose(req -> req.send())
        .compose(resp -> {
          resp.exceptionHandler(ignored -> { }); // a reset of our own below is no news
          int status = resp.statusCode();
          if (status != 200 && status != 401 && status != 403) {
            resp.request().reset();
            return io.vertx.core.Future.failedFuture(failure("answered " + status));
          }
          var length = resp.getHeader("Content-Length");
          if (length != null && parseLong(length) > MAX_BODY) {
            resp.request().reset();
            return io.vertx.core.Future.failedFuture(failure("answered more than " + MAX_BODY + " bytes"));
          }
          // Read to the end (bounded) so the connection is kept for the next question.
          var body = io.vertx.core.buffer.Buffer.buffer();
          var done = io.vertx.core.Promise.<Optional<AppSessionCaller.AppUser>>promise();
          resp.handler(chunk -> {
            if (body.length() + chunk.length() > MAX_BODY) {
              if (done.tryFail(failure("answered more than " + MAX_BODY + " bytes"))) resp.request().reset();
              return;
            }
            body.appendBuffer(chunk);
          });
          resp.exceptionHandler(done::tryFail);
          resp.endHandler(v -> {
            if (status != 200) {
              // 401 or 403: nobody is signed in; the app's own login then handles the caller.
              done.tryComplete(Optional.empty());
              return;
            }
            try {
              done.tryComplete(read(body.toString(java.nio.charset.StandardCharsets.UTF_8)));
            } catch (StepgateException e) {
              done.tryFail(e);
            }
          });
          return done.future();
        })
        .onComplete(ar -> {
          if (metrics == null) return;
          var outcome = ar.failed() ? dev.stepgate.observe.WhoamiMetrics.Outcome.FAILED
              : ar.result().isPresent() ? dev.stepgate.observe.WhoamiMetrics.Outcome.USER : dev.stepgate.observe.WhoamiMetrics.Outcome.NOBODY;
          metrics.asked(outcome, Duration.ofNanos(System.nanoTime() - started));
        })
        .onFailure(err -> failures.answered503("whoami", err, RequestIds.generate()))
        .toCompletionStage();
  }

  /** The user a whoami answer names, read with the configured pointers. */
  Optional<AppSessionCaller.AppUser> read(String body) {
    Object doc;
    try {
      doc = io.vertx.core.json.Json.decodeValue(body);
    } catch (DecodeException e) {
      throw failure("answered something that is not JSON");
    }
    if (!(doc instanceof JsonObject) && !(doc instanceof JsonArray)) throw failure("answered JSON that is not an object");
    var name = username.queryJson(doc);
    if (!(name instanceof String s) || s.isBlank()) return Optional.empty();
    if (s.length() > MAX_USERNAME || s.codePoints().anyMatch(c -> Character.isISOControl(c) || c == 0x2028 || c == 0x2029))
      throw failure("named a user that is not a sane name");
    var found = new TreeSet<String>();
    if (groups.isPresent()) {
      var list = groups.get().queryJson(doc);
      if (list instanceof JsonArray array) {
        for (var g : array) {
          if (g instanceof String group && GroupNames.valid(group) && found.size() < GroupNames.MAX_PER_USER) found.add(group);
        }
      }
    }
    return Optional.of(new AppSessionCaller.AppUser(s, found));
  }

  private static StepgateException failure(String what) {
    return new StepgateException("whoami-unavailable", 503, "The app's whoami endpoint " + what + ".");
  }

  private static long parseLong(String s) {
    try {
      return Long.parseLong(s.trim());
    } catch (NumberFormatException e) {
      return Long.MAX_VALUE;
    }
  }

  private static int port(URI u) {
    if (u.getPort() > 0) return u.getPort();
    return "https".equalsIgnoreCase(u.getScheme()) ? 443 : 80;
  }

  /** The upstream's base path (if it has one) joined with the whoami path. */
  static String joinPath(URI upstream, String path) {
    var base = upstream.getRawPath() == null ? "" : upstream.getRawPath();
    if (base.endsWith("/")) base = base.substring(0, base.length() - 1);
    return base + path;
  }

  public void close() {
    client.close();
  }
}
