package dev.stepgate.admin;

/** {@link UsersDisableGatewayTest} on Vert.x's request path ({@code proxy.relay: false}). */
class UsersDisableGatewayWithoutRelayTest extends UsersDisableGatewayTest {
  @Override
  String extraYaml() {
    return "proxy: { relay: false }\n";
  }
}
