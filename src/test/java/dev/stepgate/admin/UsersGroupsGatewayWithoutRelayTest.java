package dev.stepgate.admin;

/** {@link UsersGroupsGatewayTest} on Vert.x's request path ({@code proxy.relay: false}). */
class UsersGroupsGatewayWithoutRelayTest extends UsersGroupsGatewayTest {
  @Override
  String extraYaml() {
    return "proxy: { relay: false }\n";
  }
}
