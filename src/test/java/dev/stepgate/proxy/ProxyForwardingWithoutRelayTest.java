package dev.stepgate.proxy;

/** {@link ProxyForwardingTest} with {@code proxy.relay: false}: the same behaviour from Vert.x's request path. */
class ProxyForwardingWithoutRelayTest extends ProxyForwardingTest {
  @Override
  boolean relay() {
    return false;
  }
}
