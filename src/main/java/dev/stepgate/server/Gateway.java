package dev.stepgate.server;

import dev.stepgate.config.GatewayConfig;
import dev.stepgate.proxy.Admission;
import dev.stepgate.proxy.GatewayHandler;
import dev.stepgate.proxy.HeaderHygiene;
import dev.stepgate.proxy.StrictFraming;
import dev.stepgate.proxy.UpstreamForwarder;
import dev.stepgate.proxy.WebSocketForwarder;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import java.net.URI;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.logging.Logger;

/**
 * Wiring only: builds every component from the config, starts the public listener and the admin
 * listener, and stops them. No behaviour lives here.
 */
public final class Gateway implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(Gateway.class.getName());

  private final Vertx vertx;
  private final HttpServer server;
  private final HttpServer admin;

  private Gateway(Vertx vertx, HttpServer server, HttpServer admin) {
    this.vertx = vertx;
    this.server = server;
    this.admin = admin;
  }

  /** Starts the gateway and waits until both listeners are bound. */
  public static Gateway start(GatewayConfig config) {
    var registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    var vertx = Vertx.builder()
        .with(new VertxOptions().setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true)))
        .withMetrics(new MicrometerMetricsFactory(registry))
        .build();
    try {
      var forwarder = new UpstreamForwarder(vertx, config);
      var webSockets = new WebSocketForwarder(vertx, config.upstream(), (int) config.proxy().connectTimeout().toMillis());
      var routes = GatewayRoutes.create(vertx, () -> new JsonObject().put("ready", true));
      var handler = new GatewayHandler(knownHosts(config), new HeaderHygiene(config.trustedProxies()),
          Admission.everyone(), routes, forwarder, webSockets);
      var options = serverOptions(config);
      var server = vertx.createHttpServer(options).requestHandler(handler)
          // Raw-byte framing checks ahead of Netty's decoder, which repairs some smuggling shapes silently.
          .connectionHandler(connection -> StrictFraming.install(connection, options));
      await(server.listen(config.listen().port(), config.listen().host()));
      var admin = vertx.createHttpServer().requestHandler(AdminRoutes.create(vertx, registry));
      await(admin.listen(config.adminListen().port(), config.adminListen().host()));
      LOG.info("stepgate listening on " + config.listen().host() + ":" + server.actualPort()
          + " in front of " + config.upstream() + " (admin on " + config.adminListen().host() + ":" + admin.actualPort() + ")");
      return new Gateway(vertx, server, admin);
    } catch (RuntimeException e) {
      vertx.close();
      throw e;
    }
  }

  static HttpServerOptions serverOptions(GatewayConfig config) {
    var options = new HttpServerOptions()
        .setMaxHeaderSize(config.proxy().maxHeaderSize())
        .setMaxInitialLineLength(8192)
        .setHandle100ContinueAutomatically(true)
        // No h2c upgrade on the public listener: HTTP/2 only with TLS (ALPN), one less parser to trust.
        .setHttp2ClearTextEnabled(false)
        .setCompressionSupported(false)
        .setDecompressionSupported(false)
        .setIdleTimeout(120);
    config.tls().ifPresent(tls -> options.setSsl(true).setUseAlpn(true)
        .setAlpnVersions(List.of(HttpVersion.HTTP_2, HttpVersion.HTTP_1_1))
        .setKeyCertOptions(new PemKeyCertOptions().setCertPath(tls.certFile().toString()).setKeyPath(tls.keyFile().toString())));
    return options;
  }

  static java.util.Set<String> knownHosts(GatewayConfig config) {
    var hosts = new HashSet<String>();
    hosts.add(config.publicUrl().getHost().toLowerCase(Locale.ROOT));
    for (var origin : config.webauthn().origins()) hosts.add(URI.create(origin).getHost().toLowerCase(Locale.ROOT));
    return hosts;
  }

  public int port() {
    return server.actualPort();
  }

  public int adminPort() {
    return admin.actualPort();
  }

  @Override
  public void close() {
    await(vertx.close());
  }

  static <T> T await(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted");
    } catch (java.util.concurrent.ExecutionException e) {
      var cause = e.getCause();
      if (cause instanceof RuntimeException r) throw r;
      throw new StartFailed(cause.getClass().getSimpleName() + ": " + cause.getMessage());
    }
  }

  /** The gateway could not start (port taken, bad TLS files...). */
  public static final class StartFailed extends dev.stepgate.StepgateException {
    private static final long serialVersionUID = 1L;

    StartFailed(String message) {
      super("start-failed", 500, message);
    }
  }
}
