package dev.stepgate.proxy;

/** {@link ProxyRequestHygieneTest} with {@code proxy.relay: false}: the same behaviour from Vert.x's request path. */
class ProxyRequestHygieneWithoutRelayTest extends ProxyRequestHygieneTest {
  @Override
  boolean relay() {
    return false;
  }
}
