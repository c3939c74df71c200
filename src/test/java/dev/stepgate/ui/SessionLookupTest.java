package dev.stepgate.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stepgate.session.MemorySessionStore;
import dev.stepgate.session.Session;
import dev.stepgate.session.SessionCookie;
import dev.stepgate.session.SessionIds;
import dev.stepgate.session.SessionStore;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Pages and the API read the caller's session asynchronously, and a store that cannot answer is a 503, never "signed out". */
class SessionLookupTest {
  final Vertx vertx = Vertx.vertx();
  final SessionCookie cookie = new SessionCookie(false);
  final HttpClient http = HttpClient.newHttpClient();

  @AfterEach
  void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  int serve(SessionStore sessions) throws Exception {
    var router = Router.router(vertx);
    router.get("/page").handler(new SessionLookup(cookie, sessions));
    router.get("/page").handler(ctx -> ctx.response().end(SessionLookup.of(ctx).map(Session::username).orElse("anonymous")));
    var server = vertx.createHttpServer().requestHandler(router);
    return server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS).actualPort();
  }

  HttpResponse<String> get(int port, String cookieHeader) throws Exception {
    var b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/page")).timeout(Duration.ofSeconds(10));
    if (cookieHeader != null) b.header("Cookie", cookieHeader);
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  static Session session(String id, String username) {
    var now = Instant.now();
    return new Session(id, "u-" + username, username, now, "cred", false, true, Optional.empty(), now);
  }

  @Test
  void lookup_knownSession_reachesTheRoute_unknownOrNone_isAnonymous() throws Exception {
    var sessions = new MemorySessionStore(Duration.ofMinutes(5), Duration.ofHours(1));
    var id = SessionIds.next();
    sessions.create(session(id, "alice")).toCompletableFuture().get();
    int port = serve(sessions);
    assertEquals("alice", get(port, "a=1; " + cookie.name() + "=" + id).body());
    assertEquals("anonymous", get(port, cookie.name() + "=" + SessionIds.next()).body());
    assertEquals("anonymous", get(port, null).body());
  }

  @Test
  void lookup_storeCannotAnswer_is503WithARequestId_neverAnonymous() throws Exception {
    // A store that is down: every operation fails (as Redis or Postgres would, behind the port).
    var failing = (SessionStore) java.lang.reflect.Proxy.newProxyInstance(SessionStore.class.getClassLoader(),
        new Class<?>[] {SessionStore.class}, (proxy, method, args) -> {
          if (method.getReturnType() == CompletionStage.class)
            return CompletableFuture.failedFuture(new IllegalStateException("store down"));
          throw new IllegalStateException("store down");
        });
    int port = serve(failing);
    var r = get(port, cookie.name() + "=" + SessionIds.next());
    assertEquals(503, r.statusCode());
    assertTrue(r.body().contains("requestId"), r.body());
    assertEquals("anonymous", get(port, null).body(), "no cookie: nothing to look up");
  }
}
