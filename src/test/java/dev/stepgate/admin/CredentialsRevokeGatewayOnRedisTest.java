package dev.stepgate.admin;

import dev.stepgate.testing.RedisServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;

/**
 * {@link CredentialsRevokeGatewayTest} with {@code sessions.driver: redis}: sign-in ceremonies,
 * sessions and step-ups on a real Redis, revocations by the CLI and the account API ending them
 * within a second through the Redis backend and its near cache.
 */
class CredentialsRevokeGatewayOnRedisTest extends CredentialsRevokeGatewayTest {
  static RedisServer redis;

  @BeforeAll
  static void startRedis() {
    redis = RedisServer.start();
  }

  @AfterAll
  static void stopRedis() {
    redis.close();
  }

  @AfterEach
  void flush() {
    redis.flushAll();
  }

  @Override
  String extraYaml() {
    return "sessions: { driver: redis, url: '" + redis.url() + "' }\n";
  }
}
