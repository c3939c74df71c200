package dev.stepgate.server;

import dev.stepgate.proxy.ForwardAuth;
import dev.stepgate.admission.Problems;
import dev.stepgate.proxy.Responder;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.util.function.Supplier;

/** The router for {@code /.stepgate/*}: everything the gateway itself serves on the public port. */
final class GatewayRoutes {
  private GatewayRoutes() {}

  static Router create(Vertx vertx, Supplier<JsonObject> readiness) {
    var router = Router.router(vertx);
    router.get("/.stepgate/healthz").handler(ctx -> ctx.response()
        .putHeader("Content-Type", "text/plain; charset=utf-8").putHeader("Cache-Control", "no-store").end("ok\n"));
    router.get("/.stepgate/readyz").handler(ctx -> {
      var detail = readiness.get();
      ctx.response().setStatusCode(detail.getBoolean("ready", false) ? 200 : 503)
          .putHeader("Content-Type", "application/json").putHeader("Cache-Control", "no-store")
          .end(detail.encodePrettily());
    });
    return router;
  }

  /**
   * {@code GET|POST|HEAD /.stepgate/auth}: the forward-auth decision for the operator's own proxy
   * ({@link ForwardAuth}); it must only be reachable by that proxy.
   */
  static void forwardAuth(Router router, Handler<HttpServerRequest> forwardAuth) {
    router.route(ForwardAuth.PATH).method(HttpMethod.GET).method(HttpMethod.HEAD).method(HttpMethod.POST)
        .handler(ctx -> forwardAuth.handle(ctx.request()));
  }

  /** The catch-alls, mounted after every other gateway route. */
  static void fallbacks(Router router) {
    router.route("/.stepgate/*").handler(ctx -> Responder.send(ctx.request(), Problems.NOT_FOUND));
    router.errorHandler(500, ctx -> Responder.send(ctx.request(), Problems.INTERNAL));
    router.errorHandler(413, ctx -> Responder.send(ctx.request(), Problems.BODY_TOO_LARGE));
  }
}
