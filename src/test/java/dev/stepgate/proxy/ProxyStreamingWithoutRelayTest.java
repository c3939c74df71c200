package dev.stepgate.proxy;

/** {@link ProxyStreamingTest} with {@code proxy.relay: false}: the same behaviour from Vert.x's request path. */
class ProxyStreamingWithoutRelayTest extends ProxyStreamingTest {
  @Override
  boolean relay() {
    return false;
  }
}
