package dev.stepgate.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stepgate.proxy.HeaderHygiene;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * {@code docker/compose.yaml} and the stepgate config it mounts agree: the config is valid, and its
 * {@code trusted_proxies} (who may call forward-auth) are exactly the proxies' pinned addresses.
 */
class ShippedDockerConfigTest {
  static final Path DOCKER = Path.of("docker");

  @Test
  void stepgateConfig_trustsEachProxyOfTheComposeFile_andNoOtherContainer() throws Exception {
    var config = ConfigLoader.parse(DOCKER.resolve("stepgate/config.yaml"),
        Files.readString(DOCKER.resolve("stepgate/config.yaml")),
        name -> name.equals("PUBLIC_URL") ? "http://localhost:8080" : null);
    var trust = new HeaderHygiene(config.trustedProxies(), new dev.stepgate.session.SessionCookie(false));
    Map<String, Object> compose = new Yaml().load(Files.readString(DOCKER.resolve("compose.yaml")));
    @SuppressWarnings("unchecked")
    var services = (Map<String, Map<String, Object>>) compose.get("services");
    for (var proxy : List.of("nginx", "caddy", "traefik")) {
      @SuppressWarnings("unchecked")
      var networks = (Map<String, Map<String, String>>) services.get(proxy).get("networks");
      var address = networks.get("internal").get("ipv4_address");
      assertTrue(trust.trusted(address), proxy + " at " + address + " is not in trusted_proxies");
    }
    assertEquals(3, config.trustedProxies().size(), "one address per proxy, nothing broader");
    // Everything else on the network (stepgate itself, the app) is not trusted.
    assertFalse(trust.trusted("172.28.0.2"));
    assertFalse(trust.trusted("172.28.0.1"));
  }
}
