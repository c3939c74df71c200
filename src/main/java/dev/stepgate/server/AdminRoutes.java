package dev.stepgate.server;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;

/** The admin listener ({@code admin_listen}): metrics, never on the public port. */
final class AdminRoutes {
  private AdminRoutes() {}

  static Router create(Vertx vertx, PrometheusMeterRegistry registry) {
    var router = Router.router(vertx);
    router.get("/metrics").handler(ctx -> ctx.response()
        .putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8").end(registry.scrape()));
    return router;
  }
}
