package dev.stepgate.proxy;

/** {@link SlowClientTest} with {@code proxy.relay: false}: the same deadlines on Vert.x's request path. */
class SlowClientWithoutRelayTest extends SlowClientTest {
  @Override
  boolean relay() {
    return false;
  }
}
