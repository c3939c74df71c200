package dev.stepgate.server;

/** The rate limits on {@code sessions.driver: memory} (Caffeine in the gateway's process). */
class RateLimitGatewayTest extends RateLimitGatewayContract {
  @Override
  String sessionsYaml() {
    return "";
  }
}
