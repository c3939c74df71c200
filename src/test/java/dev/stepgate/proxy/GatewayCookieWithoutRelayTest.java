package dev.stepgate.proxy;

/** {@link GatewayCookieTest} with {@code proxy.relay: false}: the same Cookie headers from Vert.x's request path. */
class GatewayCookieWithoutRelayTest extends GatewayCookieTest {
  @Override
  boolean relay() {
    return false;
  }
}
