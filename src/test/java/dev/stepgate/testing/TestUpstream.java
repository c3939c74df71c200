package dev.stepgate.testing;

import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.ServerWebSocket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A real upstream for proxy tests: records every request it receives (method, uri, headers, body
 * size), and answers by path: {@code /slow} never answers, {@code /download?bytes=N} streams N
 * bytes, {@code /ws} echoes WebSocket frames, anything else echoes the request as text.
 */
public final class TestUpstream implements AutoCloseable {
  /** What one request looked like when it reached the upstream. */
  public record Received(String method, String uri, MultiMap headers, long bodyBytes, String body) {}

  private final Vertx vertx = Vertx.vertx();
  private final List<Received> received = new CopyOnWriteArrayList<>();
  private final HttpServer server;

  public TestUpstream() throws Exception {
    server = vertx.createHttpServer().webSocketHandler(this::echo).requestHandler(this::handle);
    server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  public int port() {
    return server.actualPort();
  }

  public String url() {
    return "http://127.0.0.1:" + port();
  }

  public List<Received> received() {
    return List.copyOf(received);
  }

  public Received last() {
    if (received.isEmpty()) throw new AssertionError("the upstream received no request");
    return received.get(received.size() - 1);
  }

  public void clear() {
    received.clear();
  }

  private void handle(HttpServerRequest req) {
    var headers = MultiMap.caseInsensitiveMultiMap().addAll(req.headers());
    if (req.path().equals("/slow")) {
      received.add(new Received(req.method().name(), req.uri(), headers, 0, ""));
      return; // never answers
    }
    if (req.path().equals("/download")) {
      long total = Long.parseLong(req.getParam("bytes"));
      received.add(new Received(req.method().name(), req.uri(), headers, 0, ""));
      stream(req, total);
      return;
    }
    var count = new AtomicLong();
    var small = Buffer.buffer();
    req.handler(buf -> {
      count.addAndGet(buf.length());
      if (small.length() < 65536) small.appendBuffer(buf);
    });
    req.endHandler(v -> {
      received.add(new Received(req.method().name(), req.uri(), headers, count.get(), small.toString()));
      req.response().putHeader("Content-Type", "text/plain").putHeader("X-Upstream", "yes")
          .putHeader("Connection", "X-Hop").putHeader("X-Hop", "secret").putHeader("Keep-Alive", "timeout=5")
          .end(req.method() + " " + req.uri() + " " + count.get());
    });
  }

  private void stream(HttpServerRequest req, long total) {
    var resp = req.response().putHeader("Content-Length", Long.toString(total));
    var chunk = Buffer.buffer(new byte[64 * 1024]);
    var sent = new AtomicLong();
    Runnable[] pump = new Runnable[1];
    pump[0] = () -> {
      while (sent.get() < total && !resp.writeQueueFull()) {
        long n = Math.min(chunk.length(), total - sent.get());
        resp.write(n == chunk.length() ? chunk : chunk.slice(0, (int) n));
        sent.addAndGet(n);
      }
      if (sent.get() >= total) {
        if (!resp.ended()) resp.end();
      }
      else resp.drainHandler(v -> pump[0].run());
    };
    pump[0].run();
  }

  private void echo(ServerWebSocket ws) {
    received.add(new Received("WS", ws.uri(), MultiMap.caseInsensitiveMultiMap().addAll(ws.headers()), 0, ""));
    ws.textMessageHandler(msg -> ws.writeTextMessage("echo: " + msg));
  }

  @Override
  public void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
