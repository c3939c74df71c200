package dev.stepgate.server;

import dev.stepgate.ui.AdminApi;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import java.util.Optional;

/**
 * The admin listener ({@code admin_listen}): metrics, and the admin API when {@code admin_token}
 * is set (without it, nothing under {@value AdminApi#PREFIX} is served: 404). Never on the public port.
 */
final class AdminRoutes {
  private AdminRoutes() {}

  static Router create(Vertx vertx, PrometheusMeterRegistry registry, Optional<AdminApi> api) {
    var router = Router.router(vertx);
    router.get("/metrics").handler(ctx -> ctx.response()
        .putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8").end(registry.scrape()));
    api.ifPresent(a -> a.mount(router));
    return router;
  }
}
