package dev.stepgate.admin;

/** {@link CredentialsRevokeGatewayTest} on Vert.x's request path ({@code proxy.relay: false}). */
class CredentialsRevokeGatewayWithoutRelayTest extends CredentialsRevokeGatewayTest {
  @Override
  String extraYaml() {
    return "proxy: { relay: false }\n";
  }
}
