package dev.stepgate.passkey;

import static org.junit.jupiter.api.Assertions.*;

import dev.stepgate.config.GatewayConfig;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class PasskeySettingsTest {
  static PasskeySettings withOrigins(String... origins) {
    return new PasskeySettings("example.com", "Ex", Set.of(origins), true, false, Set.of(), Duration.ofMinutes(5));
  }

  @Test
  void origins_exactSchemeHostPort_areAccepted() {
    assertEquals(Set.of("https://example.com", "http://localhost:8080"),
        withOrigins("https://example.com", "http://localhost:8080").origins());
  }

  @Test
  void origins_withPathQueryWildcardOrOtherScheme_areRefused() {
    for (var bad : List.of("https://example.com/", "https://example.com/login", "https://example.com?x=1",
        "ftp://example.com", "example.com", "https://*.example.com", "https://user@example.com")) {
      var e = assertThrows(IllegalArgumentException.class, () -> withOrigins(bad), bad);
      assertTrue(e.getMessage().startsWith("origin"), e.getMessage());
    }
  }

  @Test
  void constructor_emptyOriginsOrZeroTtl_isRefused() {
    assertEquals("origins must not be empty", assertThrows(IllegalArgumentException.class,
        () -> new PasskeySettings("example.com", "Ex", Set.of(), true, false, Set.of(), Duration.ofMinutes(5))).getMessage());
    assertEquals("ceremonyTtl must be positive", assertThrows(IllegalArgumentException.class,
        () -> new PasskeySettings("example.com", "Ex", Set.of("https://example.com"), true, false, Set.of(), Duration.ZERO)).getMessage());
  }

  @Test
  void from_config_usesPublicOriginPlusExtrasAndDefaultsRpIdToHost() {
    var aaguid = UUID.randomUUID();
    var w = new GatewayConfig.WebAuthn(null, "Gate", List.of("https://alt.example.com"),
        GatewayConfig.UserVerification.PREFERRED, GatewayConfig.Attestation.DIRECT, List.of(aaguid.toString()),
        dev.stepgate.config.AttestationRoots.NONE);
    var c = new GatewayConfig(null, null, URI.create("https://gate.example.com:8443/app"), null, false, null, w,
        GatewayConfig.Registration.OPEN, null, null, null, Optional.empty(), List.of(), Optional.empty(), null, null, null, null, null, null, null, null);
    var s = PasskeySettings.from(c);
    assertEquals("gate.example.com", s.rpId());
    assertEquals(Set.of("https://gate.example.com:8443", "https://alt.example.com"), s.origins());
    assertFalse(s.userVerificationRequired());
    assertTrue(s.attestationDirect());
    assertEquals(Set.of(aaguid), s.allowedAaguids());
    assertEquals(PasskeySettings.DEFAULT_CEREMONY_TTL, s.ceremonyTtl());
  }
}
