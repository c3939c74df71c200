package dev.stepgate.proxy;

import dev.stepgate.admission.Problems;
import dev.stepgate.config.GatewayConfig;
import dev.stepgate.observe.ProxyLatency;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.streams.ReadStream;
import java.net.ConnectException;
import java.util.concurrent.TimeoutException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Sends one request to the upstream and streams its response back, with back-pressure both ways
 * (neither body is ever held in memory). Connect failures become 502, a response that does not
 * start in time becomes 504. Nothing is cached.
 */
public final class UpstreamForwarder {
  private static final Logger LOG = Logger.getLogger(UpstreamForwarder.class.getName());

  private final Vertx vertx;
  private final HttpClientAgent client;
  private final UpstreamAddress upstream;
  private final long responseTimeoutMs;
  private final long maxBodySize;
  private final ProxyLatency latency;

  public UpstreamForwarder(Vertx vertx, GatewayConfig config) {
    this(vertx, config, ProxyLatency.NONE);
  }

  /** As above, timing each upstream exchange into {@code latency}. */
  public UpstreamForwarder(Vertx vertx, GatewayConfig config, ProxyLatency latency) {
    this.vertx = vertx;
    this.latency = latency;
    this.upstream = UpstreamAddress.of(config.upstream());
    var proxy = config.proxy();
    this.responseTimeoutMs = proxy.responseTimeout().toMillis();
    this.maxBodySize = proxy.maxBodySize();
    var options = new HttpClientOptions()
        .setSsl(upstream.ssl())
        .setKeepAlive(true)
        .setPipelining(false)
        .setConnectTimeout((int) proxy.connectTimeout().toMillis())
        .setIdleTimeout((int) Math.max(1, proxy.responseTimeout().toSeconds()))
        .setDecompressionSupported(false)
        .setMaxHeaderSize(64 * 1024)
        .setMaxInitialLineLength(16 * 1024);
    this.client = vertx.createHttpClient(options, new PoolOptions().setHttp1MaxSize(proxy.poolSize()));
  }

  /** The upstream authority as sent in {@code Host}. */
  public String authority() {
    return upstream.authority();
  }

  /**
   * Forwards {@code req} (its body streamed) to {@code pathAndQuery} with exactly {@code headers}
   * and answers the client with the upstream's response.
   */
  public void forward(HttpServerRequest req, String pathAndQuery, MultiMap headers) {
    var length = req.getHeader(HttpHeaders.CONTENT_LENGTH);
    boolean chunked = req.headers().contains(HttpHeaders.TRANSFER_ENCODING);
    long declared = length == null ? -1 : parseLength(length);
    if (maxBodySize > 0 && declared > maxBodySize) {
      // The body is never read: close the connection after answering so it cannot be misread.
      req.response().putHeader("Connection", "close").endHandler(v -> req.connection().close());
      Responder.send(req, Problems.BODY_TOO_LARGE);
      return;
    }
    boolean hasBody = chunked || declared > 0;
    ReadStream<Buffer> body = hasBody ? limited(req) : null;
    send(req, req.method(), pathAndQuery, headers, declared, chunked, body, null);
  }

  /** Sends a request whose body is already in memory (a held POST) and answers {@code req}. */
  public void replay(HttpServerRequest req, HttpMethod method, String pathAndQuery, MultiMap headers, Buffer body) {
    send(req, method, pathAndQuery, headers, body.length(), false, null, body);
  }

  private void send(HttpServerRequest req, HttpMethod method, String pathAndQuery, MultiMap headers,
      long declared, boolean chunked, ReadStream<Buffer> stream, Buffer whole) {
    var options = new RequestOptions()
        .setMethod(method)
        .setHost(upstream.host())
        .setPort(upstream.port())
        .setSsl(upstream.ssl())
        .setURI(upstream.pathPrefix() + pathAndQuery)
        .setHeaders(headers)
        .putHeader(HttpHeaders.HOST, authority());
    var resp = req.response();
    long timer = vertx.setTimer(responseTimeoutMs, id -> timedOut(req));
    long sent = System.nanoTime();
    client.request(options)
        .compose(creq -> {
          resp.closeHandler(v -> creq.reset());
          req.exceptionHandler(e -> creq.reset());
          if (whole != null) {
            creq.putHeader(HttpHeaders.CONTENT_LENGTH, Long.toString(whole.length()));
            return creq.send(whole);
          }
          if (stream == null) return creq.send();
          if (!chunked && declared >= 0) creq.putHeader(HttpHeaders.CONTENT_LENGTH, Long.toString(declared));
          else creq.setChunked(true);
          return creq.send(stream);
        })
        .onComplete(ar -> vertx.cancelTimer(timer))
        .onSuccess(cresp -> {
          latency.upstream(sent, System.nanoTime());
          respond(req, cresp);
        })
        .onFailure(err -> failed(req, err));
  }

  private void respond(HttpServerRequest req, HttpClientResponse cresp) {
    var resp = req.response();
    // The upstream's response fails only by a reset: ours (the client is gone, see below) or mid-body
    // (then the client's response cannot be finished either). Handled here, or Vert.x logs each one.
    cresp.exceptionHandler(e -> {
      if (!resp.closed() && !resp.ended()) resp.reset();
    });
    if (resp.ended() || resp.headWritten() || resp.closed()) {
      cresp.request().reset(); // the client is gone or was already answered (e.g. 504)
      return;
    }
    resp.setStatusCode(cresp.statusCode());
    if (cresp.statusMessage() != null) resp.setStatusMessage(cresp.statusMessage());
    resp.headers().setAll(HeaderHygiene.forClient(cresp.headers()));
    var length = cresp.getHeader(HttpHeaders.CONTENT_LENGTH);
    if (length != null) resp.putHeader(HttpHeaders.CONTENT_LENGTH, length);
    if (req.method() == HttpMethod.HEAD || cresp.statusCode() == 204 || cresp.statusCode() == 304) {
      cresp.resume();
      resp.end();
      return;
    }
    if (length == null && req.version() != io.vertx.core.http.HttpVersion.HTTP_1_0) resp.setChunked(true);
    // Piped by hand rather than with resp.send(cresp): Vert.x's pipe keeps writing to a response
    // whose client has gone and logs the IllegalStateException that follows as an unhandled error.
    cresp.handler(chunk -> {
      if (!clientTakes(resp, () -> resp.write(chunk))) {
        cresp.request().reset(); // the client went away mid-response: nothing more to send
        return;
      }
      if (resp.writeQueueFull()) {
        cresp.pause();
        resp.drainHandler(v -> cresp.resume());
      }
    });
    cresp.endHandler(v -> clientTakes(resp, resp::end));
  }

  /**
   * Runs a write on {@code resp} unless its client is gone; false if it was. The client can close
   * between the check and the write (the upstream's events may run on another event loop), and
   * Vert.x then refuses the write with an IllegalStateException: the same answer.
   */
  private static boolean clientTakes(io.vertx.core.http.HttpServerResponse resp, Runnable write) {
    if (resp.closed()) return false;
    try {
      write.run();
      return true;
    } catch (IllegalStateException closedMeanwhile) {
      return false;
    }
  }

  private void timedOut(HttpServerRequest req) {
    Responder.send(req, Problems.UPSTREAM_TIMEOUT);
  }

  private void failed(HttpServerRequest req, Throwable err) {
    var resp = req.response();
    // Ended, or the client left (its close reset the upstream request): nobody to answer, nothing to log.
    if (resp.ended() || resp.closed()) return;
    if (err instanceof io.vertx.core.http.StreamResetException) {
      // Only this class resets the upstream request, when the client's side failed or closed
      // (the close may not have been seen yet): nothing to answer, nothing to report.
      resp.reset();
      return;
    }
    if (resp.headWritten()) {
      resp.reset();
      return;
    }
    if (err instanceof TimeoutException || err instanceof io.netty.channel.ConnectTimeoutException) {
      timedOut(req);
      return;
    }
    if (err instanceof BodyTooLarge) {
      resp.putHeader("Connection", "close").endHandler(v -> req.connection().close());
      Responder.send(req, Problems.BODY_TOO_LARGE);
      return;
    }
    LOG.log(Level.WARNING, "upstream request failed: {0}", err.getClass().getSimpleName()
        + (err instanceof ConnectException ? " (is the app running at " + authority() + "?)" : ""));
    Responder.send(req, Problems.UPSTREAM_UNAVAILABLE);
  }

  private ReadStream<Buffer> limited(HttpServerRequest req) {
    return maxBodySize <= 0 ? req : new LimitedStream(req, maxBodySize);
  }

  private static long parseLength(String value) {
    try {
      return Long.parseLong(value.trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** Closes the upstream client. */
  public Future<Void> close() {
    return client.close();
  }

  static final class BodyTooLarge extends RuntimeException {
    private static final long serialVersionUID = 1L;

    BodyTooLarge() {
      super("request body too large", null, false, false);
    }
  }
}
