package dev.stepgate.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stepgate.testing.Gateways;
import dev.stepgate.testing.RawHttp;
import dev.stepgate.testing.TestUpstream;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A request whose admission fails is answered 503 with a request id the user can quote, and the
 * failure is logged once with the exception's class and that id: never its message, never a
 * cookie. The id is the trusted proxy's {@code X-Request-Id}, else a new one (issue 10).
 */
class AdmissionFailureTest {
  static final String SECRET = "s3cret-session-value";

  /** An admission whose store is down; its exceptions carry what must never reach a log. */
  static final class BrokenAdmission implements dev.stepgate.admission.Admission {
    final boolean throwAtOnce;

    BrokenAdmission(boolean throwAtOnce) {
      this.throwAtOnce = throwAtOnce;
    }

    @Override
    public java.util.concurrent.CompletionStage<dev.stepgate.admission.Verdict> admit(dev.stepgate.admission.AdmissionRequest request) {
      if (throwAtOnce) throw new IllegalStateException("session store down, cookie " + SECRET);
      return java.util.concurrent.CompletableFuture.failedFuture(new java.io.UncheckedIOException(new java.io.IOException("redis said " + SECRET)));
    }

    @Override
    public Optional<dev.stepgate.admission.Verdict.Forward> admitAtOnce(dev.stepgate.admission.AdmissionRequest request) {
      throw new IllegalStateException("session store down, cookie " + request.cookieHeader());
    }
  }

  @TempDir Path dir;
  Vertx vertx;
  TestUpstream upstream;
  HttpServer server;
  final List<LogRecord> logged = new CopyOnWriteArrayList<>();
  final Handler capture = new Handler() {
    @Override
    public void publish(LogRecord record) {
      logged.add(record);
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  };
  final List<Logger> loggers = List.of(Logger.getLogger(GatewayHandler.class.getName()), Logger.getLogger(RelayLane.class.getName()));

  /** The proxy path with {@code admission}, the relay in front when {@code relay}. */
  int start(dev.stepgate.admission.Admission admission, boolean relay, String extraYaml) throws Exception {
    upstream = new TestUpstream();
    var config = Gateways.config(upstream.url(), dir, "proxy: { relay: " + relay + " }\n" + extraYaml);
    vertx = Vertx.vertx();
    var hosts = Set.of("localhost");
    var hygiene = new HeaderHygiene(config.trustedProxies(), new dev.stepgate.session.SessionCookie(false));
    var handler = new GatewayHandler(hosts, hygiene, admission, new VerdictResponder("http://localhost", null, hygiene, 0, java.time.Clock.systemUTC()),
        req -> Responder.send(req, dev.stepgate.admission.Problems.NOT_FOUND), new UpstreamForwarder(vertx, config),
        new WebSocketForwarder(vertx, config.upstream(), 1000));
    var lane = RelayLane.create(vertx, config, hosts, hygiene, admission);
    for (var l : loggers) l.addHandler(capture);
    server = vertx.createHttpServer().requestHandler(handler).connectionHandler(c -> lane.ifPresent(r -> r.install(c)));
    return server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS).actualPort();
  }

  @AfterEach
  void stop() throws Exception {
    for (var l : loggers) l.removeHandler(capture);
    if (vertx != null) vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    if (upstream != null) upstream.close();
  }

  static String request(String... headerLines) {
    var b = new StringBuilder("GET /account HTTP/1.1\r\nHost: localhost\r\nCookie: stepgate=" + SECRET + "\r\n");
    for (var h : headerLines) b.append(h).append("\r\n");
    return b.append("Connection: close\r\n\r\n").toString();
  }

  static JsonObject problem(String raw) {
    assertEquals(503, RawHttp.status(raw), raw);
    return new JsonObject(raw.substring(raw.indexOf("\r\n\r\n") + 4));
  }

  List<String> messages(Class<?> source) {
    return logged.stream().filter(r -> r.getLoggerName().equals(source.getName())).map(LogRecord::getMessage).toList();
  }

  @Test
  void admissionThatThrows_is503WithANewRequestId_loggedOnceWithTheExceptionClass() throws Exception {
    int port = start(new BrokenAdmission(true), false, "");
    var answer = problem(RawHttp.send(port, request("X-Request-Id: chosen-by-the-client")));
    assertEquals("urn:stepgate:problem:unavailable", answer.getString("type"));
    var id = answer.getString("requestId");
    assertTrue(id.matches("[A-Za-z0-9_-]{12}"), id);
    assertNotEquals("chosen-by-the-client", id, "a client's own id is not believed");
    assertEquals(List.of("admission failed (java.lang.IllegalStateException), request " + id + ": answered 503"),
        messages(GatewayHandler.class));
    assertTrue(upstream.received().isEmpty(), "nothing is forwarded");
  }

  @Test
  void admissionThatFails_fromATrustedProxy_usesItsRequestId() throws Exception {
    int port = start(new BrokenAdmission(false), false, "trusted_proxies: [127.0.0.1/32]\n");
    var answer = problem(RawHttp.send(port, request("X-Request-Id: 7f3a9c1e-proxy")));
    assertEquals("7f3a9c1e-proxy", answer.getString("requestId"));
    assertEquals(List.of("admission failed (java.io.UncheckedIOException), request 7f3a9c1e-proxy: answered 503"),
        messages(GatewayHandler.class));
    // An id that could break a log line is not kept, even from the proxy.
    var odd = problem(RawHttp.send(port, request("X-Request-Id: two words\u00e9"))).getString("requestId");
    assertTrue(odd.matches("[A-Za-z0-9_-]{12}"), odd);
    // A browser reads the id on the page.
    var page = RawHttp.send(port, request("Accept: text/html", "X-Request-Id: abc123"));
    assertTrue(page.contains("<p>Request id: <code>abc123</code></p>"), page);
  }

  @Test
  void relayThatCannotPlan_logsItsFallback_andTheOrdinaryPathAnswers503() throws Exception {
    int port = start(new BrokenAdmission(true), true, "trusted_proxies: [127.0.0.1/32]\n");
    var answer = problem(RawHttp.send(port, request("X-Request-Id: rid-42")));
    assertEquals("rid-42", answer.getString("requestId"));
    assertEquals(List.of("relay could not plan a request (java.lang.IllegalStateException), request rid-42: "
        + "handed to Vert.x's path"), messages(RelayLane.class));
    assertEquals(1, messages(GatewayHandler.class).size());
    for (var r : logged) assertFalse(r.getMessage().contains(SECRET) || r.getThrown() != null, r.getMessage());
  }
}
