package dev.stepgate.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.stepgate.config.GatewayConfig.FirstEnrollment;
import dev.stepgate.config.GatewayConfig.IdentitySource;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/** The config {@code stepgate demo --bolt-on} runs with (SPEC section 8's example, for the demo app). */
class DemoBoltOnConfigTest {
  static final URI UPSTREAM = URI.create("http://127.0.0.1:41234");
  static final Path POLICIES = Path.of("policies/bolt-on/demo-bolt-on.yaml");
  static final Path DATA = Path.of("./data");

  @Test
  @SuppressWarnings("unchecked")
  void demoBoltOnYaml_hasTheIdentitySectionOfTheBoltOnDemo() {
    var text = ConfigLoader.demoBoltOnYaml(UPSTREAM, POLICIES, DATA, 8080);
    Map<String, Object> doc = new Yaml().load(text);
    assertEquals(Map.of(
        "source", "upstream",
        "whoami", Map.of("path", "/api/me", "username", "/user/email", "groups", "/user/roles",
            "session_cookies", List.of("ACMESESSION"), "cache", "60s"),
        "first_enrollment", "on_step_up"), doc.get("identity"));
    assertEquals("127.0.0.1:8080", doc.get("listen"));
    assertEquals("http://localhost:8080", doc.get("public_url"));
    assertEquals(UPSTREAM.toString(), doc.get("upstream"));
    assertEquals(POLICIES.toString(), doc.get("policies"));
  }

  @Test
  void demoBoltOnYaml_isTheGatewayDemoPlusOnlyTheIdentitySection() {
    var plain = ConfigLoader.demo(UPSTREAM, POLICIES, DATA, 8080);
    var boltOnText = ConfigLoader.demoBoltOnYaml(UPSTREAM, POLICIES, DATA, 8080);
    var withoutIdentity = boltOnText.substring(0, boltOnText.indexOf("identity:\n"));
    var parsed = ConfigLoader.parse(Path.of("(demo)"), withoutIdentity, name -> null);
    assertEquals(plain.listen(), parsed.listen());
    assertEquals(plain.publicUrl(), parsed.publicUrl());
    assertEquals(plain.upstream(), parsed.upstream());
    assertEquals(plain.policies(), parsed.policies());
    assertEquals(plain.storage(), parsed.storage());
    assertEquals(plain.adminListen(), parsed.adminListen());
  }

  @Test
  void demoBoltOn_buildsTheUpstreamIdentity() {
    var identity = ConfigLoader.demoBoltOn(UPSTREAM, POLICIES, DATA, 8080).identity();
    assertEquals(IdentitySource.UPSTREAM, identity.source());
    assertEquals(FirstEnrollment.ON_STEP_UP, identity.firstEnrollment());
    var whoami = identity.whoami().orElseThrow();
    assertEquals("/api/me", whoami.path());
    assertEquals("/user/email", whoami.username());
    assertEquals(Optional.of("/user/roles"), whoami.groups());
    assertEquals(List.of("ACMESESSION"), whoami.sessionCookies());
    assertEquals(Duration.ofSeconds(60), whoami.cache());
  }
}
