package dev.stepgate.proxy;

/** {@link IdentityHeaderEncodingTest} with {@code proxy.relay: false}: the same bytes from Vert.x's request path. */
class IdentityHeaderEncodingWithoutRelayTest extends IdentityHeaderEncodingTest {
  @Override
  boolean relay() {
    return false;
  }
}
