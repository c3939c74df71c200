package dev.stepgate.proxy;

import dev.stepgate.admission.Problems;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketBase;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/**
 * Proxies a WebSocket upgrade that already passed every gateway check: connects to the upstream
 * first (so a refused upstream is a plain 502), then accepts the client's upgrade and relays
 * frames both ways with back-pressure.
 */
public final class WebSocketForwarder {
  private final WebSocketClient client;
  private final UpstreamAddress upstream;

  public WebSocketForwarder(Vertx vertx, URI upstream, int connectTimeoutMs) {
    this.upstream = UpstreamAddress.of(upstream);
    this.client = vertx.createWebSocketClient(new WebSocketClientOptions()
        .setConnectTimeout(connectTimeoutMs).setSsl(this.upstream.ssl()).setMaxFrameSize(1 << 20).setMaxMessageSize(16 << 20));
  }

  /** True when {@code req} asks to upgrade to a WebSocket. */
  public static boolean isUpgrade(HttpServerRequest req) {
    var upgrade = req.getHeader("Upgrade");
    return upgrade != null && upgrade.equalsIgnoreCase("websocket");
  }

  public void forward(HttpServerRequest req, String pathAndQuery, MultiMap headers) {
    var options = new WebSocketConnectOptions().setHost(upstream.host()).setPort(upstream.port()).setSsl(upstream.ssl())
        .setURI(upstream.pathPrefix() + pathAndQuery);
    List<String> protocols = new ArrayList<>();
    for (var e : headers) {
      var n = HeaderHygiene.normalise(e.getKey());
      if (n.equals("sec-websocket-protocol")) {
        for (var p : e.getValue().split(",")) if (!p.isBlank()) protocols.add(p.trim());
        continue;
      }
      if (n.startsWith("sec-websocket-")) continue;
      options.addHeader(e.getKey(), e.getValue());
    }
    if (!protocols.isEmpty()) options.setSubProtocols(protocols);
    client.connect(options)
        .onFailure(err -> Responder.send(req, Problems.UPSTREAM_UNAVAILABLE))
        .onSuccess(upstream -> req.toWebSocket()
            .onFailure(err -> upstream.close())
            .onSuccess(downstream -> relay(downstream, upstream)));
  }

  private static void relay(WebSocketBase downstream, WebSocket upstream) {
    pipe(downstream, upstream);
    pipe(upstream, downstream);
  }

  private static void pipe(WebSocketBase from, WebSocketBase to) {
    from.frameHandler(frame -> {
      if (frame.isClose()) return;
      to.writeFrame(frame);
      if (to.writeQueueFull()) {
        from.pause();
        to.drainHandler(v -> from.resume());
      }
    });
    from.closeHandler(v -> {
      if (!to.isClosed()) {
        var code = from.closeStatusCode();
        to.close(code == null ? (short) 1000 : code, from.closeReason());
      }
    });
    from.exceptionHandler(e -> to.close());
  }
}
