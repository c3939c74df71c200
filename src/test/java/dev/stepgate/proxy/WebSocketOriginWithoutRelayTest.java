package dev.stepgate.proxy;

/** {@link WebSocketOriginTest} with {@code proxy.relay: false}: the same behaviour from Vert.x's request path. */
class WebSocketOriginWithoutRelayTest extends WebSocketOriginTest {
  @Override
  boolean relay() {
    return false;
  }
}
