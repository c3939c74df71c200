package dev.stepgate.testing;

import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A small legacy app with its own password login, for bolt-on tests (SPEC section 8): {@code POST
 * /login} ({@code user}, {@code password}) sets a fresh {@code APPSESSION}, {@code POST /logout}
 * ends it, {@code GET /api/me} is its whoami (how it answers can be switched to fail), and every
 * other request is recorded and answered 200.
 */
public final class PasswordApp implements AutoCloseable {
  /** How {@code /api/me} answers. */
  public enum Whoami { OK, DOWN, GARBAGE, SLOW, NO_USER }

  public record Received(String method, String uri, MultiMap headers, String body) {}

  private final Vertx vertx = Vertx.vertx();
  private final HttpServer server;
  private final Map<String, String> passwords = Map.of("alice@example.com", "alice-pw", "bob@example.com", "bob-pw");
  private final Map<String, List<String>> roles = Map.of("alice@example.com", List.of("finance"), "bob@example.com", List.of());
  private final Map<String, String> sessions = new ConcurrentHashMap<>();
  private final List<Received> received = new CopyOnWriteArrayList<>();
  private final AtomicInteger whoamiCalls = new AtomicInteger();
  private final List<MultiMap> whoamiHeaders = new CopyOnWriteArrayList<>();
  private volatile Whoami whoami = Whoami.OK;

  public PasswordApp() throws Exception {
    server = vertx.createHttpServer().requestHandler(this::handle);
    server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  public String url() {
    return "http://127.0.0.1:" + server.actualPort();
  }

  public void whoami(Whoami mode) {
    this.whoami = mode;
  }

  public int whoamiCalls() {
    return whoamiCalls.get();
  }

  /** The headers of every whoami call, in order. */
  public List<MultiMap> whoamiHeaders() {
    return List.copyOf(whoamiHeaders);
  }

  public List<Received> received() {
    return List.copyOf(received);
  }

  /** What reached the app at {@code method path} (the whoami calls are not among them). */
  public List<Received> received(String method, String path) {
    return received.stream().filter(r -> r.method().equals(method) && r.uri().startsWith(path)).toList();
  }

  private void handle(HttpServerRequest req) {
    var headers = MultiMap.caseInsensitiveMultiMap().addAll(req.headers());
    var body = Buffer.buffer();
    req.handler(body::appendBuffer);
    req.endHandler(v -> {
      if (req.path().equals("/api/me")) {
        whoami(req, headers);
        return;
      }
      received.add(new Received(req.method().name(), req.uri(), headers, body.toString()));
      if (req.method().name().equals("POST") && req.path().equals("/login")) {
        var form = form(body.toString());
        var user = form.getOrDefault("user", "");
        if (!passwords.getOrDefault(user, "\0").equals(form.get("password"))) {
          req.response().setStatusCode(401).end("wrong password");
          return;
        }
        var id = newId();
        sessions.put(id, user);
        req.response().setStatusCode(303).putHeader("Location", "/").putHeader("Set-Cookie", "APPSESSION=" + id + "; Path=/; HttpOnly")
            .end();
        return;
      }
      if (req.method().name().equals("POST") && req.path().equals("/logout")) {
        var id = appSession(headers.get("Cookie"));
        if (id != null) sessions.remove(id);
        req.response().setStatusCode(303).putHeader("Location", "/").putHeader("Set-Cookie", "APPSESSION=; Path=/; Max-Age=0").end();
        return;
      }
      req.response().putHeader("Content-Type", "text/plain").end("app " + req.method() + " " + req.uri());
    });
  }

  private void whoami(HttpServerRequest req, MultiMap headers) {
    whoamiCalls.incrementAndGet();
    whoamiHeaders.add(headers);
    switch (whoami) {
      case DOWN -> req.response().setStatusCode(500).end("broken");
      case GARBAGE -> req.response().setStatusCode(200).putHeader("Content-Type", "application/json").end("<html>not json");
      case SLOW -> { } // never answers
      case NO_USER -> req.response().setStatusCode(200).putHeader("Content-Type", "application/json").end("{\"user\":{}}");
      case OK -> {
        var user = sessions.get(String.valueOf(appSession(headers.get("Cookie"))));
        if (user == null) {
          req.response().setStatusCode(401).putHeader("Content-Type", "application/json").end("{\"error\":\"not signed in\"}");
          return;
        }
        var me = new JsonObject().put("user", new JsonObject().put("email", user).put("roles", new JsonArray(roles.get(user))));
        req.response().putHeader("Content-Type", "application/json").end(me.encode());
      }
    }
  }

  private static String appSession(String cookieHeader) {
    if (cookieHeader == null) return null;
    for (var part : cookieHeader.split(";")) {
      var p = part.trim();
      if (p.startsWith("APPSESSION=")) return p.substring("APPSESSION=".length());
    }
    return null;
  }

  private static Map<String, String> form(String body) {
    var out = new java.util.HashMap<String, String>();
    for (var pair : body.split("&")) {
      int eq = pair.indexOf('=');
      if (eq > 0) out.put(java.net.URLDecoder.decode(pair.substring(0, eq), java.nio.charset.StandardCharsets.UTF_8),
          java.net.URLDecoder.decode(pair.substring(eq + 1), java.nio.charset.StandardCharsets.UTF_8));
    }
    return out;
  }

  private static String newId() {
    var b = new byte[32];
    new SecureRandom().nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  @Override
  public void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
